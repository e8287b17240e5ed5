package agent

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// The /files endpoints are Mesos' sandbox file browser (files.cpp). Paths
// are resolved like Files::resolve: the longest attached virtual path that
// prefixes the request is replaced by its real directory; the result, with
// symlinks resolved, must stay inside that directory. Attached are the
// agent's sandbox tree (so the "directory" of /state works as a path) and,
// per task, Mesos' virtual /frameworks/<fw>/executors/<task>/runs/latest.
// Nothing else of the host, nor the agent's checkpoints, is reachable.

// fileError is an answer other than 200.
type fileError struct {
	code int
	msg  string
}

var errNotFound = &fileError{http.StatusNotFound, "File not found"}

func (e *fileError) write(w http.ResponseWriter) {
	http.Error(w, e.msg, e.code)
}

// fileRoots maps attached virtual paths to real directories.
func (a *Agent) fileRoots() map[string]string {
	roots := map[string]string{}
	slaves := filepath.Join(a.workDir, "slaves")
	if fi, err := os.Stat(slaves); err == nil && fi.IsDir() {
		roots[slaves] = slaves
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	attach := func(t *task) {
		v := "/frameworks/" + t.rec.FrameworkID + "/executors/" + t.id() + "/runs/latest"
		roots[v] = t.rec.Sandbox
	}
	for _, t := range a.completed {
		attach(t)
	}
	for _, t := range a.tasks {
		attach(t)
	}
	return roots
}

// resolve maps a requested path to a real one.
func (a *Agent) resolve(p string) (string, *fileError) {
	roots := a.fileRoots()
	tokens := strings.Split(strings.TrimRight(p, "/"), "/")
	for i := len(tokens); i > 0; i-- {
		root, ok := roots[strings.Join(tokens[:i], "/")]
		if !ok {
			continue
		}
		full := filepath.Join(append([]string{root}, tokens[i:]...)...)
		real, err := filepath.EvalSymlinks(full)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return "", errNotFound
		}
		if err != nil {
			return "", &fileError{http.StatusBadRequest, fmt.Sprintf("Failed to determine canonical path of '%s': %v.", full, err)}
		}
		if !within(real, root) {
			return "", &fileError{http.StatusBadRequest, fmt.Sprintf("'%s' is inaccessible.", p)}
		}
		return real, nil
	}
	return "", errNotFound
}

func within(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+string(filepath.Separator))
}

// attached tells whether a real path lies in an attached directory.
func (a *Agent) attached(real string) bool {
	for _, root := range a.fileRoots() {
		if within(real, root) {
			return true
		}
	}
	return false
}

// statEntry is a directory entry's FileInfo for browse: what a symlink
// points to while that stays attached, else the link itself, so that a
// task's link to /etc/shadow shows no size or owner of the target.
func (a *Agent) statEntry(path string) (os.FileInfo, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil && a.attached(real) {
		return os.Stat(real)
	}
	return os.Lstat(path)
}

func pathParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	p := r.URL.Query().Get("path")
	if p == "" {
		http.Error(w, "Expecting 'path=value' in query.", http.StatusBadRequest)
		return "", false
	}
	return p, true
}

// serveBrowse lists a directory: [{path, nlink, size, mtime, mode, uid,
// gid}], sorted by path. A file gives an empty list, as in Mesos.
func (a *Agent) serveBrowse(w http.ResponseWriter, r *http.Request) {
	p, ok := pathParam(w, r)
	if !ok {
		return
	}
	real, ferr := a.resolve(p)
	if ferr != nil {
		ferr.write(w)
		return
	}
	listing := []map[string]any{}
	entries, _ := os.ReadDir(real)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		fi, err := a.statEntry(filepath.Join(real, e.Name()))
		if err != nil {
			continue
		}
		listing = append(listing, fileInfoV0(strings.TrimRight(p, "/")+"/"+e.Name(), fi))
	}
	writeJSON(w, r, listing)
}

// fileInfoV0 is Mesos' FileInfo in JSON: mtime in seconds, the mode as
// ls shows it, owner and group by name.
func fileInfoV0(path string, fi os.FileInfo) map[string]any {
	m := map[string]any{
		"path":  path,
		"size":  fi.Size(),
		"mtime": fi.ModTime().Unix(),
		"mode":  modeString(fi.Mode()),
		"nlink": 1,
		"uid":   "",
		"gid":   "",
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		m["nlink"] = st.Nlink
		m["uid"] = userName(st.Uid)
		m["gid"] = groupName(st.Gid)
	}
	return m
}

// modeString renders a mode like ls -l: "-rw-r--r--", "drwxr-xr-x",
// with s/S and t/T for setuid, setgid and sticky.
func modeString(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	}
	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	special := func(pos int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[pos] == '-' {
			b[pos] = upper
		} else {
			b[pos] = lower
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's', 'S')
	special(6, m&fs.ModeSetgid != 0, 's', 'S')
	special(9, m&fs.ModeSticky != 0, 't', 'T')
	return string(b)
}

var (
	namesMu sync.Mutex
	users   = map[uint32]string{}
	groups  = map[uint32]string{}
)

func userName(uid uint32) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	if n, ok := users[uid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	users[uid] = n
	return n
}

func groupName(gid uint32) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	if n, ok := groups[gid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(n); err == nil {
		n = g.Name
	}
	groups[gid] = n
	return n
}

// serveRead is files/read with Mesos 1.x semantics, which the UI's pailer
// and log tailers rely on:
//   - offset missing or -1: {"data":"","offset":<size>}, where a tailer
//     starts;
//   - offset < -1 or length < -1: 400; length -1 or missing: to the end;
//   - offset at or past the end: {"data":"","offset":<offset>};
//   - at most 16 pages are returned per call.
func (a *Agent) serveRead(w http.ResponseWriter, r *http.Request) {
	p, ok := pathParam(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	offset := int64(-1)
	if v := q.Get("offset"); q.Has("offset") {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			http.Error(w, fmt.Sprintf("Failed to parse offset: Failed to convert '%s' to number.", v), http.StatusBadRequest)
			return
		}
		if n < -1 {
			http.Error(w, fmt.Sprintf("Negative offset provided: %d.", n), http.StatusBadRequest)
			return
		}
		offset = n
	}
	length := int64(-1)
	if v := q.Get("length"); q.Has("length") {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			http.Error(w, fmt.Sprintf("Failed to parse length: Failed to convert '%s' to number.", v), http.StatusBadRequest)
			return
		}
		if n < -1 {
			http.Error(w, fmt.Sprintf("Negative length provided: %d.", n), http.StatusBadRequest)
			return
		}
		length = n
	}
	f, fi, real, ok := a.openFile(w, p, "read")
	if !ok {
		return
	}
	defer f.Close()
	size := fi.Size()
	if offset == -1 {
		writeJSON(w, r, map[string]any{"data": "", "offset": size})
		return
	}
	if offset >= size || length == 0 {
		writeJSON(w, r, map[string]any{"data": "", "offset": offset})
		return
	}
	if length == -1 {
		length = size - offset
	}
	length = min(length, int64(16*os.Getpagesize()))
	buf := make([]byte, length)
	n, err := f.ReadAt(buf, offset)
	if err != nil && !errors.Is(err, io.EOF) {
		http.Error(w, fmt.Sprintf("Failed to read file at '%s': %v.", real, err), http.StatusInternalServerError)
		return
	}
	writeJSON(w, r, map[string]any{"data": string(buf[:n]), "offset": offset})
}

// serveDownload sends a file as an attachment.
func (a *Agent) serveDownload(w http.ResponseWriter, r *http.Request) {
	p, ok := pathParam(w, r)
	if !ok {
		return
	}
	f, fi, real, ok := a.openFile(w, p, "download")
	if !ok {
		return
	}
	defer f.Close()
	name := filepath.Base(real)
	ctype := "application/octet-stream"
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		ctype = t
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// serveDebug shows the attached virtual paths.
func (a *Agent) serveDebug(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, a.fileRoots())
}

// openFile resolves a /files path inside the agent's work dir and opens it
// as a regular file for verb ("read", "download"); on failure it has
// answered with Mesos' error and returns ok false.
func (a *Agent) openFile(w http.ResponseWriter, p, verb string) (f *os.File, fi os.FileInfo, real string, ok bool) {
	real, ferr := a.resolve(p)
	if ferr != nil {
		ferr.write(w)
		return nil, nil, "", false
	}
	f, err := os.Open(real)
	if err != nil {
		http.Error(w, fmt.Sprintf("Failed to open file at '%s': %v.", real, err), http.StatusInternalServerError)
		return nil, nil, "", false
	}
	// A task may swap a directory of the resolved path for a symlink
	// between resolve and open; what was opened must still be attached.
	if opened, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd()))); err != nil || !a.attached(opened) {
		f.Close()
		http.Error(w, fmt.Sprintf("'%s' is inaccessible.", p), http.StatusBadRequest)
		return nil, nil, "", false
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return nil, nil, "", false
	}
	if fi.IsDir() {
		f.Close()
		http.Error(w, "Cannot "+verb+" a directory.", http.StatusBadRequest)
		return nil, nil, "", false
	}
	return f, fi, real, true
}
