package appliance

import (
	"net/http/pprof"

	"github.com/go-chi/chi/v5"
)

// mountPprof serves Go's profiler under /debug/pprof (--pprof), for users
// chasing their own performance problems: `go tool pprof
// http://host:5050/debug/pprof/profile` and the rest of net/http/pprof.
// It is off by default, since a profile shows the process's internals.
func mountPprof(r chi.Router) {
	r.HandleFunc("/debug/pprof/", pprof.Index)
	r.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	r.HandleFunc("/debug/pprof/profile", pprof.Profile)
	r.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	r.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// The named profiles (heap, goroutine, allocs, block, mutex,
	// threadcreate) are served by Index from the path's last element.
	r.HandleFunc("/debug/pprof/{profile}", pprof.Index)
}
