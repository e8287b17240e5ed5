// Package app models Marathon 1.10's AppDefinition as a pure value: decoding
// request bodies with Marathon's error codes, normalising deprecated inputs,
// applying defaults, validating with Marathon's wording, encoding the
// canonical 1.10 JSON shape, and merging PUT bodies.
//
// It also holds the small pieces of Marathon behaviour that other parts of
// mesosbox need to agree on: task ids, label selectors, the task environment
// and constraint placement.
//
// The package does no I/O, starts no goroutines and reads no clock; callers
// pass time in. The life of a request body is:
//
//	app, err := Decode(body, base) // syntax, type and deprecated-field errors
//	Defaults(app)                  // context-dependent defaults (networks, ports, strategies)
//	if v := Validate(app); v != nil { /* 422 Object is not valid */ }
//	Stamp(nil, app, now)           // version and versionInfo
//	out, _ := Encode(app)          // canonical Marathon 1.10 JSON
//
// Errors are *Error values that carry the HTTP status and render the exact
// body Marathon would return (see Error.MarshalJSON).
package app
