package ui

// ReportMsg is what a background job says when it ends.
type ReportMsg struct {
	Text string
	Bad  bool
}
