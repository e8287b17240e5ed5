package job

import "time"

// Mode picks the Chronos API generation whose job JSON is spoken.
type Mode int

const (
	// V3 is Chronos 3.x: epsilon and async are accepted and ignored, and not
	// printed.
	V3 Mode = iota
	// V2 is Chronos 2.x: epsilon must be a valid ISO duration and both fields
	// are printed.
	V2
)

// Defaults are the scheduler flags Chronos' job deserializer fills missing
// fields from. A zero field takes Chronos' own default.
type Defaults struct {
	CPUs float64 // --mesos_task_cpu, 0.1
	Mem  float64 // --mesos_task_mem, 128 (MB)
	Disk float64 // --mesos_task_disk, 256 (MB)
	User string  // --user, "root"
	// TaskEpsilon is --task_epsilon, 60 s: the 2.x window in which a late
	// run is still launched.
	TaskEpsilon time.Duration
	Mode        Mode
}

// withFallbacks fills zero fields with Chronos' defaults.
func (d Defaults) withFallbacks() Defaults {
	if d.CPUs == 0 {
		d.CPUs = 0.1
	}
	if d.Mem == 0 {
		d.Mem = 128
	}
	if d.Disk == 0 {
		d.Disk = 256
	}
	if d.User == "" {
		d.User = "root"
	}
	if d.TaskEpsilon == 0 {
		d.TaskEpsilon = 60 * time.Second
	}
	return d
}
