package app

import (
	"strconv"
	"strings"
)

// javaDouble formats f like Java's Double.toString, which is how Marathon
// prints doubles in validation messages ("got 1.2, expected between 0.0 and
// 1.0") and in MARATHON_APP_RESOURCE_* variables ("128.0").
func javaDouble(f float64) string {
	if f == 0 {
		return "0.0"
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1.2345e+07
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// utf16Len is the length of s as Java's String.length() counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
