package auth

// DemoProject is the study the original Patholabelling tool was built
// for; `auth seed-demo` creates it so a fresh install has something to
// open.
var DemoProject = ProjectInput{
	Name:        "GBM H&E",
	Description: "The original Patholabelling glioblastoma study",
}

// DemoCategories are the six markers of the original study, with its
// class ids and colours.
func DemoCategories() []CategoryInput {
	cats := []struct {
		name, color string
	}{
		{"Necrosis-palisading", "#000000"},
		{"MicVas-Proliferation", "#ffff00"},
		{"Blood-Vessel", "#0000ff"},
		{"Necrosis-Geo", "#00ffff"},
		{"Brain-Tissue", "#808080"},
		{"Tumor", "#00ff00"},
	}
	out := make([]CategoryInput, len(cats))
	for i, c := range cats {
		id := i + 1
		out[i] = CategoryInput{ClassID: &id, Name: c.name, Color: c.color, Shortcut: string(rune('1' + i)), Order: &id}
	}
	return out
}
