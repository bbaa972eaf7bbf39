package annotation

import (
	"fmt"
	"sort"
	"strings"
)

// ImportReport is the answer of an import.
type ImportReport struct {
	Imported       int            `json:"imported"`
	IDs            []int64        `json:"ids"`
	Skipped        []Skip         `json:"skipped"`
	UnknownClasses map[string]int `json:"unknown_classes"`
}

// colourNames maps the original tool's style names to the hex colours a
// project's categories may carry; "green" is both CSS green and lime.
var colourNames = map[string][]string{
	"red": {"#ff0000"}, "yellow": {"#ffff00"}, "blue": {"#0000ff"}, "green": {"#00ff00", "#008000"},
	"lime": {"#00ff00"}, "black": {"#000000"}, "white": {"#ffffff"}, "orange": {"#ffa500"},
	"purple": {"#800080"}, "pink": {"#ffc0cb"}, "cyan": {"#00ffff"}, "aqua": {"#00ffff"},
	"magenta": {"#ff00ff"}, "fuchsia": {"#ff00ff"}, "brown": {"#a52a2a"}, "gray": {"#808080"}, "grey": {"#808080"},
}

// Resolve gives every item a category and checks it against the slide.
// A class matches a live category by name (any case), by hex colour, or,
// for a colour name, by that colour's hex; items without a class take
// def (0: skipped). Unknown classes are counted, never dropped silently.
// A category assigned to other annotators than author is skipped too.
func Resolve(items []Item, cats map[int64]Category, def, author int64, s Slide, maxVertices int) ([]Draft, []Skip, map[string]int) {
	byKey := categoryKeys(cats)
	var drafts []Draft
	var skips []Skip
	unknown := map[string]int{}
	for _, it := range items {
		cat, err := classCategory(it.Class, def, byKey)
		if c := cats[cat]; err == nil && c.Assigned != nil && !c.Assigned[author] {
			err = fmt.Errorf("category %d (%s) is not assigned to you", cat, c.Name)
		}
		if err == nil {
			// Imported outlines that run off the slide are cut to it, as drawn ones are.
			it.Geometry = it.Geometry.Clip(s.Width, s.Height)
			err = it.Geometry.Validate(s.Width, s.Height, maxVertices)
		}
		if err != nil {
			if cat == 0 && it.Class != "" {
				unknown[it.Class]++
			}
			skips = append(skips, Skip{it.Index, err.Error()})
			continue
		}
		drafts = append(drafts, Draft{CategoryID: cat, Geometry: it.Geometry, Note: it.Note})
	}
	sort.SliceStable(skips, func(i, j int) bool { return skips[i].Index < skips[j].Index })
	return drafts, skips, unknown
}

func categoryKeys(cats map[int64]Category) map[string]int64 {
	keys := map[string]int64{}
	ids := make([]int64, 0, len(cats))
	for id := range cats {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] }) // the oldest category wins a tie
	for _, id := range ids {
		if c := cats[id]; !c.Archived {
			keys["name:"+strings.ToLower(c.Name)] = id
			keys["color:"+strings.ToLower(c.Color)] = id
		}
	}
	return keys
}

func classCategory(class string, def int64, keys map[string]int64) (int64, error) {
	if class == "" {
		if def == 0 {
			return 0, fmt.Errorf("no class and no category_id given for unclassified marks")
		}
		return def, nil
	}
	c := strings.ToLower(strings.TrimSpace(class))
	if id, ok := keys["name:"+c]; ok {
		return id, nil
	}
	if id, ok := keys["color:"+c]; ok {
		return id, nil
	}
	for _, hex := range colourNames[c] {
		if id, ok := keys["color:"+hex]; ok {
			return id, nil
		}
	}
	return 0, fmt.Errorf("unknown class %q: no category of this project has that name or colour", class)
}
