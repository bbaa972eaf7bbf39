package annotation

// HistoryFilter selects history rows: of one mark, or of one slide
// (optionally one owner's marks), newest first, before the Before cursor.
type HistoryFilter struct {
	SlideID      int64
	AnnotationID int64
	OwnerID      int64
	BeforeID     int64 // page cursor: rows with a smaller id; 0 for the newest
	Limit        int
}
