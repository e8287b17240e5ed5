package agent

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
)

// fetchTimeout bounds one download; Mesos' fetcher has no limit, but a
// stuck server should fail the task rather than keep it in STARTING.
const fetchTimeout = 10 * time.Minute

var fetchClient = &http.Client{Timeout: fetchTimeout}

// fetchURIs is Mesos' fetcher: each of command.uris is downloaded (http,
// https) or copied (file:// or an absolute path) into the sandbox, then
// made executable, or extracted there when it is an archive and extract is
// not false. What it does is logged to the sandbox's stderr, where users
// look when a task fails to start. The first failure stops the task with
// "Failed to fetch '<uri>': why".
func fetchURIs(ctx context.Context, uris []mesos.CommandInfo_URI, sandbox string) error {
	if len(uris) == 0 {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(sandbox, "stderr"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("Failed to fetch: open the sandbox's stderr: %v", err)
	}
	defer logf.Close()
	for _, u := range uris {
		fmt.Fprintf(logf, "Fetching URI '%s'\n", u.Value)
		dest, err := fetchURI(ctx, u, sandbox)
		if err != nil {
			fmt.Fprintf(logf, "Failed to fetch '%s': %v\n", u.Value, err)
			return fmt.Errorf("Failed to fetch '%s': %v", u.Value, err)
		}
		fmt.Fprintf(logf, "Fetched '%s' to '%s'\n", u.Value, dest)
	}
	return nil
}

func fetchURI(ctx context.Context, u mesos.CommandInfo_URI, sandbox string) (string, error) {
	src, remote, err := fetchSource(u.Value)
	if err != nil {
		return "", err
	}
	name := u.GetOutputFile()
	if name == "" {
		name = path.Base(src)
		if name == "/" || name == "." || name == "" {
			return "", errors.New("cannot tell a file name from the URI; set output_file")
		}
	}
	dest, err := inside(sandbox, name)
	if err == nil && dest == sandbox {
		err = errors.New("names the sandbox itself")
	}
	if err == nil {
		var parent string
		rel, _ := filepath.Rel(sandbox, filepath.Dir(dest))
		parent, err = mkdirInside(sandbox, rel)
		dest = filepath.Join(parent, filepath.Base(dest))
	}
	if err != nil {
		return "", fmt.Errorf("output file %q: %v", name, err)
	}
	if remote {
		err = download(ctx, u.Value, dest)
	} else {
		err = copyFile(src, dest)
	}
	if err != nil {
		return "", err
	}
	switch {
	case u.GetExecutable():
		err = os.Chmod(dest, 0o755)
	case u.Extract == nil || *u.Extract:
		err = extract(dest, sandbox)
	}
	return dest, err
}

// fetchSource returns the local path or the URL path of a URI and whether
// it is remote. Mesos' fetcher also knows hdfs://, s3:// and ftp:// through
// a Hadoop client, which a mesosbox node does not have.
func fetchSource(raw string) (src string, remote bool, err error) {
	if strings.HasPrefix(raw, "/") {
		return raw, false, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, err
	}
	switch u.Scheme {
	case "http", "https":
		return u.Path, true, nil
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return "", false, fmt.Errorf("file URI with host %q: only local files can be copied", u.Host)
		}
		return u.Path, false, nil
	case "":
		return "", false, errors.New("relative paths are not supported: use an absolute path or a URL")
	default:
		return "", false, fmt.Errorf("URI scheme %q is not supported (use http, https or file)", u.Scheme)
	}
}

// inside joins name to dir and refuses results outside dir.
func inside(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if p != dir && !strings.HasPrefix(p, dir+string(filepath.Separator)) {
		return "", errors.New("points outside the sandbox")
	}
	return p, nil
}

func download(ctx context.Context, rawURL, dest string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	resp, err := fetchClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP response code %d (%s)", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return writeFrom(dest, resp.Body, 0o644)
}

func copyFile(src, dest string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", src)
	}
	return writeFrom(dest, f, fi.Mode().Perm())
}

// writeFrom writes r to dest through a temporary file, so a failed fetch
// leaves no truncated file behind, and never through a symlink at dest.
func writeFrom(dest string, r io.Reader, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".fetch-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dest)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// extract unpacks an archive into dir, as the Mesos fetcher does for
// .tar, .tar.gz, .tgz, .tar.bz2, .tbz2, .zip, and .gz (one file); other
// files are left as they are. The archive itself stays.
func extract(archive, dir string) error {
	name := strings.ToLower(filepath.Base(archive))
	open := func() (*os.File, error) { return os.Open(archive) }
	switch {
	case strings.HasSuffix(name, ".tar"):
		f, err := open()
		if err != nil {
			return err
		}
		defer f.Close()
		return untar(f, dir)
	case strings.HasSuffix(name, ".tar.gz"), strings.HasSuffix(name, ".tgz"):
		f, err := open()
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("extract %s: %v", filepath.Base(archive), err)
		}
		return untar(zr, dir)
	case strings.HasSuffix(name, ".tar.bz2"), strings.HasSuffix(name, ".tbz2"):
		f, err := open()
		if err != nil {
			return err
		}
		defer f.Close()
		return untar(bzip2.NewReader(f), dir)
	case strings.HasSuffix(name, ".zip"):
		return unzip(archive, dir)
	case strings.HasSuffix(name, ".gz"):
		f, err := open()
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("extract %s: %v", filepath.Base(archive), err)
		}
		return writeFrom(strings.TrimSuffix(archive, filepath.Ext(archive)), zr, 0o644)
	}
	return nil
}

// untar extracts a tar stream into dir. Entries may not leave dir, neither
// by name ("../x", "/x") nor by writing through a symlink an earlier entry
// planted; links may point anywhere, as they do in real archives.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("extract: %v", err)
		}
		dest, err := safeEntry(dir, h.Name)
		if err != nil {
			return err
		}
		if dest == dir {
			continue
		}
		mode := os.FileMode(h.Mode).Perm()
		if mode == 0 {
			mode = 0o644
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dest, mode|0o700)
		case tar.TypeReg, tar.TypeRegA:
			err = writeFrom(dest, tr, mode)
		case tar.TypeSymlink:
			os.Remove(dest)
			err = os.Symlink(h.Linkname, dest)
		case tar.TypeLink:
			var target string
			if target, err = safeEntry(dir, h.Linkname); err == nil {
				os.Remove(dest)
				err = os.Link(target, dest)
			}
		default:
			continue // devices, fifos: not for a sandbox
		}
		if err != nil {
			return fmt.Errorf("extract %s: %v", h.Name, err)
		}
	}
}

func unzip(archive, dir string) error {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return fmt.Errorf("extract %s: %v", filepath.Base(archive), err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		dest, err := safeEntry(dir, f.Name)
		if err != nil {
			return err
		}
		if dest == dir {
			continue
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(dest, f.Mode().Perm()|0o700); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("extract %s: %v", f.Name, err)
		}
		mode := f.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		err = writeFrom(dest, rc, mode)
		rc.Close()
		if err != nil {
			return fmt.Errorf("extract %s: %v", f.Name, err)
		}
	}
	return nil
}

// safeEntry resolves an archive entry's name under dir, creating its
// parent directories, and refuses names or parents that lead outside dir.
func safeEntry(dir, name string) (string, error) {
	dest, err := inside(dir, name)
	if err != nil {
		return "", fmt.Errorf("archive entry %q %v", name, err)
	}
	if dest == dir {
		return dest, nil
	}
	rel, _ := filepath.Rel(dir, filepath.Dir(dest))
	parent, err := mkdirInside(dir, rel)
	if err != nil {
		return "", fmt.Errorf("archive entry %q: %v", name, err)
	}
	return filepath.Join(parent, filepath.Base(dest)), nil
}

// mkdirInside creates dir/rel one element at a time, following only
// symlinks that stay inside dir, so nothing is ever created outside it.
func mkdirInside(dir, rel string) (string, error) {
	cur := dir
	for _, elem := range strings.Split(filepath.ToSlash(rel), "/") {
		if elem == "" || elem == "." {
			continue
		}
		next := filepath.Join(cur, elem)
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, os.ErrNotExist):
			if err := os.Mkdir(next, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				return "", err
			}
		case err != nil:
			return "", err
		case fi.Mode()&os.ModeSymlink != 0:
			real, err := filepath.EvalSymlinks(next)
			if err != nil {
				return "", err
			}
			if real != dir && !strings.HasPrefix(real, dir+string(filepath.Separator)) {
				return "", errors.New("a link in the path points outside the sandbox")
			}
			next = real
		case !fi.IsDir():
			return "", fmt.Errorf("%s is not a directory", elem)
		}
		cur = next
	}
	return cur, nil
}
