package export

import (
	"strconv"
	"strings"
)

// SlideStem names a slide in file names. The case and stain come first so
// the H&E and IHC slides of one case sort next to each other.
func SlideStem(s *Slide) string {
	if s == nil {
		return "slide-unknown"
	}
	stem := "slide" + itoa(s.ID)
	if s.CaseID == "" {
		return stem
	}
	stain := s.Stain
	if stain == "" {
		stain = "unstained"
	}
	return safeName(s.CaseID) + "_" + safeName(stain) + "_" + stem
}

// CategoryLabel names a category in paths and counts.
func CategoryLabel(c *Category, id int64) string {
	if c == nil {
		return "category" + itoa(id)
	}
	return safeName(c.Name)
}

// safeName keeps letters, digits, '-' and '.'; anything else (path
// separators, spaces, control characters) becomes '-'.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.'
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		return "unnamed"
	}
	return out
}

// px formats millipixels as pixels exactly (no float rounding).
func px(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v/1000, 10)
	if f := v % 1000; f != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(1000+f, 10)[1:], "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// rgb parses #rrggbb; a malformed colour is grey rather than an error, as
// QuPath would show it.
func rgb(hex string) [3]int {
	if len(hex) != 7 || hex[0] != '#' {
		return [3]int{128, 128, 128}
	}
	var out [3]int
	for i := range 3 {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return [3]int{128, 128, 128}
		}
		out[i] = int(v)
	}
	return out
}
