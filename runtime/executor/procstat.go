package executor

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// every Linux architecture mesosbox builds for).
const clockTicks = 100

// ProcessTable is one reading of /proc: each process's parent, CPU times
// and resident memory. A /monitor/statistics answer reads it once for all
// its tasks.
type ProcessTable struct {
	procs    map[int]procStat
	children map[int][]int
}

type procStat struct {
	ppid         int
	utime, stime uint64 // clock ticks
	rssPages     uint64
}

// ReadProcessTable reads every process's /proc/PID/stat. Processes that
// end while it reads are left out.
func ReadProcessTable() (*ProcessTable, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	pt := &ProcessTable{procs: map[int]procStat{}, children: map[int][]int{}}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		st, ok := parseProcStat(string(data))
		if !ok {
			continue
		}
		pt.procs[pid] = st
		pt.children[st.ppid] = append(pt.children[st.ppid], pid)
	}
	return pt, nil
}

// parseProcStat reads the fields it needs from a /proc/PID/stat line. The
// command name, in parentheses, may hold spaces and parentheses itself:
// the fields start after the last ')'.
func parseProcStat(line string) (procStat, bool) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(line[i+1:]) // f[0] is field 3 (state)
	if len(f) < 22 {
		return procStat{}, false
	}
	num := func(k int) uint64 { n, _ := strconv.ParseUint(f[k-3], 10, 64); return n }
	return procStat{ppid: int(num(4)), utime: num(14), stime: num(15), rssPages: num(24)}, true
}

// Usage is what a task's processes used, as Mesos' default isolators
// (posix/cpu, posix/mem) measure it: the CPU times and resident memory of
// the process tree the task's process heads.
type Usage struct {
	User, System time.Duration
	RSSBytes     uint64
}

// TreeUsage sums the process tree rooted at pid; false if pid is gone.
func (pt *ProcessTable) TreeUsage(pid int) (Usage, bool) {
	if _, ok := pt.procs[pid]; !ok || pid <= 0 {
		return Usage{}, false
	}
	var u Usage
	page := uint64(os.Getpagesize())
	seen := map[int]bool{}
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		st := pt.procs[p]
		u.User += time.Duration(st.utime) * time.Second / clockTicks
		u.System += time.Duration(st.stime) * time.Second / clockTicks
		u.RSSBytes += st.rssPages * page
		stack = append(stack, pt.children[p]...)
	}
	return u, true
}
