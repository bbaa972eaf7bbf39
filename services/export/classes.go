package export

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// ClassesPath is the class map every export carries.
const ClassesPath = "classes.json"

// ClassFolders names each category's ImageFolder folder: its class id,
// zero-padded to one width for the whole export, then its name
// (`01_necrosis-palisading`). torchvision's ImageFolder numbers classes by
// sorted folder name, so with the id first its index follows the class ids
// instead of the alphabet; class ids are unique in a project, so two
// categories never share a folder.
func ClassFolders(s *Snapshot) map[int64]string {
	top := 0
	for _, c := range s.Categories {
		top = max(top, c.ClassID)
	}
	width := max(2, len(strconv.Itoa(top)))
	out := make(map[int64]string, len(s.Categories))
	for i := range s.Categories {
		c := &s.Categories[i]
		out[c.ID] = fmt.Sprintf("%0*d_%s", width, c.ClassID, CategoryLabel(c, c.ID))
	}
	return out
}

// classEntry is one class of classes.json: the category and the number
// each format of the export uses for it. A field of a format the export
// does not hold is left out.
type classEntry struct {
	ClassID    int    `json:"class_id"`
	CategoryID int64  `json:"category_id"`
	Name       string `json:"name"`
	Color      string `json:"color"`

	// Its folder in each ImageFolder root (patches/<size>, or
	// patches/<size>/<split> with splits), and by root the index
	// ImageFolder gives it: its rank among the folders of that root (a
	// class with no patch there has no folder there, so no index).
	Folder           string         `json:"imagefolder_folder,omitempty"`
	ImageFolderIndex map[string]int `json:"imagefolder_index,omitempty"`
	// PICTURES.TYPE, and TYPE − 1: the output index PathoFusion trains.
	PathoFusionType  *int `json:"pathofusion_type,omitempty"`
	PathoFusionLabel *int `json:"pathofusion_label,omitempty"`
	MaskValue        *int `json:"mask_value,omitempty"` // 0 is unlabelled
	COCOCategoryID   *int `json:"coco_category_id,omitempty"`
	// WebDatasetClass is the samples' .cls (and class_index in .json).
	WebDatasetClass *int `json:"webdataset_cls,omitempty"`
}

// Classes renders classes.json, classes by class id. folders is
// ClassFolders' map; patchClasses holds by ImageFolder root the
// categories that have patch files there.
func Classes(s *Snapshot, p *Params, folders map[int64]string, patchClasses map[string]map[int64]bool) []byte {
	cats := slices.Clone(s.Categories)
	slices.SortFunc(cats, func(a, b Category) int { return cmp.Compare(a.ClassID, b.ClassID) })
	index := map[string]map[int64]int{} // root → category → ImageFolder index
	for root, used := range patchClasses {
		index[root] = map[int64]int{}
		for _, c := range cats { // class-id order is folder-name order
			if used[c.ID] {
				index[root][c.ID] = len(index[root])
			}
		}
	}
	wdsClass := ClassIndices(s)
	out := struct {
		Classes []classEntry `json:"classes"`
	}{Classes: []classEntry{}}
	for _, c := range cats {
		e := classEntry{ClassID: c.ClassID, CategoryID: c.ID, Name: c.Name, Color: c.Color}
		id := c.ClassID
		if p.Has(FormatPatches) {
			e.Folder, e.ImageFolderIndex = folders[c.ID], map[string]int{}
			for root, ix := range index {
				if i, ok := ix[c.ID]; ok {
					e.ImageFolderIndex[root] = i
				}
			}
		}
		if p.Has(FormatPathoFusion) {
			label := id - 1
			e.PathoFusionType, e.PathoFusionLabel = &id, &label
		}
		if p.Has(FormatMasks) {
			e.MaskValue = &id
		}
		if p.Has(FormatCOCO) {
			e.COCOCategoryID = &id
		}
		if p.Has(FormatWebDataset) {
			cls := wdsClass[c.ID]
			e.WebDatasetClass = &cls
		}
		out.Classes = append(out.Classes, e)
	}
	b, _ := json.MarshalIndent(out, "", "  ") // plain data: cannot fail
	return append(b, '\n')
}
