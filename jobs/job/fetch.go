package job

import (
	"fmt"
	"slices"
)

// Fetch is one file the Mesos fetcher downloads into the sandbox before the
// task starts.
type Fetch struct {
	URI        string
	Executable bool
	Cache      bool
	Extract    bool // default true: archives are unpacked
	OutputFile string
}

// EnvVar is one entry of environmentVariables.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// decodeFetch reads "fetch" and the deprecated "uris" into one list.
//
// Chronos 3 rejects a job with both set, yet prints both on GET so that old
// and new clients each find theirs; a script that GETs a job and POSTs it
// back would then be refused. So both are accepted when they name the same
// URIs in the same order, and refused only when they disagree.
func decodeFetch(o object, name string) ([]Fetch, error) {
	entries, err := o.objects("fetch")
	if err != nil {
		return nil, err
	}
	var fetch []Fetch
	for _, e := range entries {
		var f Fetch
		if f.URI, err = e.required("uri"); err != nil {
			return nil, err
		}
		if f.Executable, err = e.boolean("executable", false); err != nil {
			return nil, err
		}
		if f.Cache, err = e.boolean("cache", false); err != nil {
			return nil, err
		}
		if f.Extract, err = e.boolean("extract", true); err != nil {
			return nil, err
		}
		if f.OutputFile, err = e.text("output_file", ""); err != nil {
			return nil, err
		}
		fetch = append(fetch, f)
	}
	uris, err := o.texts("uris")
	if err != nil {
		return nil, err
	}
	switch {
	case len(uris) == 0:
		return fetch, nil
	case len(fetch) == 0:
		for _, u := range uris {
			if u == "" {
				return nil, fmt.Errorf("\"uris\" must not contain an empty URI")
			}
			fetch = append(fetch, Fetch{URI: u, Extract: true})
		}
		return fetch, nil
	case slices.Equal(uris, fetchURIs(fetch)):
		return fetch, nil
	}
	return nil, fmt.Errorf("Tried to add both uri (deprecated) and fetch parameters on %s, and they differ; use fetch only", name)
}

func fetchURIs(fetch []Fetch) []string {
	uris := make([]string, len(fetch))
	for i, f := range fetch {
		uris[i] = f.URI
	}
	return uris
}

// decodeEnv reads environmentVariables.
func decodeEnv(o object) ([]EnvVar, error) {
	entries, err := o.objects("environmentVariables")
	if err != nil {
		return nil, err
	}
	var env []EnvVar
	for _, e := range entries {
		var v EnvVar
		if v.Name, err = e.required("name"); err != nil {
			return nil, err
		}
		if v.Value, err = e.text("value", ""); err != nil {
			return nil, err
		}
		env = append(env, v)
	}
	return env, nil
}
