package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The process executor keeps one directory per task under
// StateDir/process/<id>:
//
//	task.json     what to run; written by the agent before it asks the supervisor
//	monitor.json  the supervisor's and the task's pids; written by the supervisor
//	exit.json     how the task ended; written by the supervisor before it
//	              tells the agent
//
// and the supervisor's own files next to them (supervisor_proto.go).
// Task directories of the per-task monitor layout that came before the
// supervisor have the same files (the monitor's pid in monitor.json,
// without "supervised"), and a monitor.log.
//
// Each file has one writer and is written whole (temporary file, rename),
// so a reader sees it complete or not at all. They are not fsynced: they
// only need to outlive the agent process, not the machine, since a reboot
// ends the tasks they describe anyway (Recover then reports them lost).
const (
	taskFile    = "task.json"
	monitorFile = "monitor.json"
	exitFile    = "exit.json"
)

type taskRecord struct {
	TaskID    string    `json:"taskId"`
	Sandbox   string    `json:"sandbox"`
	Command   string    `json:"command"`
	Shell     bool      `json:"shell"`
	Args      []string  `json:"args,omitempty"`
	Env       []string  `json:"env"`
	User      string    `json:"user,omitempty"`
	CPUs      float64   `json:"cpus,omitempty"`
	CPUQuota  bool      `json:"cpuQuota,omitempty"` // cap at CPUs with a CFS quota
	MemMB     float64   `json:"memMb,omitempty"`
	Cgroup    string    `json:"cgroup"` // "/<namespace>/<id>" below the hierarchy roots
	StartedAt time.Time `json:"startedAt"`
}

// monitorRecord identifies processes by pid and start time (clock ticks
// since boot, /proc/<pid>/stat field 22): a pid alone may have been reused
// by the time an agent restarts. Monitor is the supervisor when
// Supervised is set, else the task's own monitor of the per-task layout.
type monitorRecord struct {
	MonitorPID   int    `json:"monitorPid"`
	MonitorStart uint64 `json:"monitorStart"`
	PID          int    `json:"pid"`
	PIDStart     uint64 `json:"pidStart"`
	CgroupError  string `json:"cgroupError,omitempty"`
	Supervised   bool   `json:"supervised,omitempty"`
}

func writeJSON(dir, name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

func readJSON(dir, name string, v any) error {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// procStart returns a process's start time and state letter from
// /proc/<pid>/stat.
func procStart(pid int) (start uint64, state byte, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// The command name (field 2) may hold spaces and parentheses; the
	// fields after the last ')' are plain: state is field 3, starttime 22.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, 0, errors.New("malformed stat")
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 20 {
		return 0, 0, errors.New("malformed stat")
	}
	start, err = strconv.ParseUint(fields[19], 10, 64)
	return start, fields[0][0], err
}

// alive says whether the process that had this pid and start time is still
// running (a zombie has exited).
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	s, state, err := procStart(pid)
	return err == nil && s == start && state != 'Z' && state != 'X'
}
