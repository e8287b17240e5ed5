package app

import (
	"reflect"
	"testing"
	"time"
)

func TestTimestamps(t *testing.T) {
	ts := time.Date(2015, 8, 26, 20, 23, 39, 463_999_999, time.FixedZone("x", 3600))
	if got := FormatTimestamp(ts); got != "2015-08-26T19:23:39.463Z" {
		t.Errorf("FormatTimestamp = %q", got)
	}
	if got := FormatTimestamp(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); got != "2020-01-01T00:00:00.000Z" {
		t.Errorf("FormatTimestamp = %q", got)
	}
	for in, want := range map[string]string{
		"2015-08-26T20:23:39.463Z":       "2015-08-26T20:23:39.463Z",
		"2015-08-26T20:23:39Z":           "2015-08-26T20:23:39.000Z",
		"2015-08-26T22:23:39.4639+02:00": "2015-08-26T20:23:39.463Z",
	} {
		got, err := ParseTimestamp(in)
		if err != nil || FormatTimestamp(got) != want {
			t.Errorf("ParseTimestamp(%q) = %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2015-08-26", "yesterday", "2015-08-26T20:23:39", "2015-08-26T0:23:39Z", "0000-01-01T00:00:00+00:10", "2015-08-26t20:23:39Z"} {
		if _, err := ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) succeeded", bad)
		}
	}
}

func TestStamp(t *testing.T) {
	created := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	scaled := created.Add(time.Minute)
	changed := scaled.Add(time.Minute)
	noop := changed.Add(time.Minute)

	a := decodeDefault(t, `{"id":"/a","cmd":"sleep 1"}`)
	Stamp(nil, a, created.Add(123456)) // sub-millisecond part dropped
	if !a.Version.Equal(created) || *a.VersionInfo != (VersionInfo{created, created}) {
		t.Fatalf("create: %v %+v", a.Version, a.VersionInfo)
	}

	b := a.Clone()
	b.Instances = 3
	Stamp(a, b, scaled)
	if *b.VersionInfo != (VersionInfo{LastScalingAt: scaled, LastConfigChangeAt: created}) {
		t.Errorf("scale: %+v", b.VersionInfo)
	}

	c := b.Clone()
	c.Mem = 256
	Stamp(b, c, changed)
	if *c.VersionInfo != (VersionInfo{changed, changed}) {
		t.Errorf("config change: %+v", c.VersionInfo)
	}

	d := c.Clone()
	Stamp(c, d, noop)
	if !d.Version.Equal(noop) || !reflect.DeepEqual(d.VersionInfo, c.VersionInfo) {
		t.Errorf("no change: %v %+v", d.Version, d.VersionInfo)
	}
	d.VersionInfo.LastScalingAt = time.Time{}
	if c.VersionInfo.LastScalingAt.IsZero() {
		t.Error("Stamp shares VersionInfo with the previous app")
	}

	legacy := c.Clone()
	legacy.VersionInfo = nil
	e := legacy.Clone()
	e.Instances = 1
	Stamp(legacy, e, noop)
	if *e.VersionInfo != (VersionInfo{LastScalingAt: noop, LastConfigChangeAt: legacy.Version}) {
		t.Errorf("scale without versionInfo: %+v", e.VersionInfo)
	}
}
