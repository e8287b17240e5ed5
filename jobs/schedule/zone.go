package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	// The appliance is one binary that must schedule the same way on a host
	// without /usr/share/zoneinfo (minimal images, the RPM's chroots), so the
	// tz database ships inside it. Go still prefers the host's copy.
	_ "time/tzdata"
)

// javaZoneAliases maps the JDK 1.1 three-letter ids that Chronos users put in
// scheduleTimeZone (its own docs use "PST") to the zones Joda-Time converts
// them to in DateTimeZone.forTimeZone. Note that these are real zones with
// DST: to Chronos "PST" is America/Los_Angeles, "EST" is America/New_York.
var javaZoneAliases = map[string]string{
	"GMT": "UTC", "WET": "WET", "CET": "CET", "MET": "CET", "ECT": "CET", "EET": "EET",
	"MIT": "Pacific/Apia", "HST": "Pacific/Honolulu", "AST": "America/Anchorage",
	"PST": "America/Los_Angeles", "MST": "America/Denver", "PNT": "America/Phoenix",
	"CST": "America/Chicago", "EST": "America/New_York", "IET": "America/Indiana/Indianapolis",
	"PRT": "America/Puerto_Rico", "CNT": "America/St_Johns", "AGT": "America/Argentina/Buenos_Aires",
	"BET": "America/Sao_Paulo", "ART": "Africa/Cairo", "CAT": "Africa/Harare",
	"EAT": "Africa/Addis_Ababa", "NET": "Asia/Yerevan", "PLT": "Asia/Karachi",
	"IST": "Asia/Kolkata", "BST": "Asia/Dhaka", "VST": "Asia/Ho_Chi_Minh",
	"CTT": "Asia/Shanghai", "JST": "Asia/Tokyo", "ACT": "Australia/Darwin",
	"AET": "Australia/Sydney", "SST": "Pacific/Guadalcanal", "NST": "Pacific/Auckland",
}

var zoneCache sync.Map // name -> *time.Location

// LoadZone resolves a scheduleTimeZone value: a tz database name
// ("America/Los_Angeles"), one of the JDK three-letter aliases above, or a
// Java custom id "GMT+hh:mm" / "UTC-h". Unlike Chronos, which silently fell
// back to GMT for a name it did not know, an unknown name is an error.
func LoadZone(name string) (*time.Location, error) {
	if v, ok := zoneCache.Load(name); ok {
		return v.(*time.Location), nil
	}
	loc, err := loadZone(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || strings.ContainsAny(name, " \t\r\n") {
		return nil, fmt.Errorf("unknown time zone %q (use a tz database name such as America/Los_Angeles)", name)
	}
	if name == "UTC" || name == "Z" {
		return time.UTC, nil
	}
	if alias, ok := javaZoneAliases[name]; ok {
		name = alias
	}
	for _, prefix := range []string{"GMT", "UTC"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && rest != "" && (rest[0] == '+' || rest[0] == '-') {
			secs, err := parseCustomOffset(rest)
			if err != nil {
				return nil, fmt.Errorf("time zone %q: %v", name, err)
			}
			return fixedZone(secs), nil
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (use a tz database name such as America/Los_Angeles)", name)
	}
	return loc, nil
}

// parseCustomOffset reads the "+h", "+hh", "+hhmm" or "+hh:mm" of a Java
// custom time zone id.
func parseCustomOffset(s string) (int, error) {
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	s = s[1:]
	hh, mm, hasColon := strings.Cut(s, ":")
	if !hasColon && len(s) > 2 {
		hh, mm = s[:len(s)-2], s[len(s)-2:]
	}
	h, err1 := strconv.Atoi(hh)
	m := 0
	var err2 error
	if mm != "" || hasColon {
		m, err2 = strconv.Atoi(mm)
	}
	if err1 != nil || err2 != nil || len(hh) == 0 || len(hh) > 2 || h > 23 || m > 59 || (mm != "" && len(mm) != 2) {
		return 0, fmt.Errorf("offset %q is not +hh:mm", s)
	}
	return sign * (h*3600 + m*60), nil
}

// fixedZone is a zone with a constant offset, named the way Describe prints
// it ("UTC", "UTC-08:00").
func fixedZone(secs int) *time.Location {
	if secs == 0 {
		return time.UTC
	}
	return time.FixedZone("UTC"+formatOffset(secs, ":"), secs)
}

// formatOffset prints an offset as ±hh:mm, with :ss only when needed (Joda
// prints seconds too, which matters for the odd pre-1972 zone like Monrovia).
func formatOffset(secs int, sep string) string {
	sign := byte('+')
	if secs < 0 {
		sign, secs = '-', -secs
	}
	s := fmt.Sprintf("%c%02d%s%02d", sign, secs/3600, sep, secs/60%60)
	if secs%60 != 0 {
		s += fmt.Sprintf("%s%02d", sep, secs%60)
	}
	return s
}

// zoneLabel names a location for people: the tz name, or UTC±hh:mm.
func zoneLabel(loc *time.Location) string {
	if loc == nil || loc == time.UTC {
		return "UTC"
	}
	return loc.String()
}
