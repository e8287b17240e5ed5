package resources

// V0 returns r in the flat form of Mesos' v0 JSON endpoints (/master/state,
// /slave(1)/state, ...), for example
//
//	{"cpus":1.0,"mem":128.0,"disk":0.0,"gpus":0.0,"ports":"[31000-31005, 31010-31010]"}
//
// As in Mesos, cpus, mem, disk and gpus are always present, other scalars
// appear when non-zero, and ports, a string in Ranges.String's format, only
// when r has any. Clients such as mesos-dns read ports as that string.
func (r Resources) V0() map[string]any {
	m := map[string]any{
		CPUs: r.CPUs.Float64(),
		Mem:  r.Mem.Float64(),
		Disk: r.Disk.Float64(),
		GPUs: r.GPUs.Float64(),
	}
	for _, s := range r.other {
		m[s.name] = s.value.Float64()
	}
	if len(r.Ports) > 0 {
		m[Ports] = r.Ports.String()
	}
	return m
}
