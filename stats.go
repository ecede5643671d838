package relay

// DeskFigures is what the store counts for the dashboard, raw: the app
// zero-fills, buckets and takes medians.
type DeskFigures struct {
	ByStatus   map[string]int
	ByPriority map[string]int
	// Created and resolved tickets per UTC day (days since the Unix epoch)
	// since the window's start.
	CreatedPerDay  map[int64]int
	ResolvedPerDay map[int64]int
	// Samples of seconds from creation to first staff response, and to
	// resolution, in no particular order.
	FirstResponse []float64
	Resolution    []float64
	Agents        []AgentLoad
	UsersByRole   map[Role]int
}

// AgentLoad is one staff member who can take tickets, with their load.
type AgentLoad struct {
	User     Author `json:"user"`
	Role     Role   `json:"role"`
	OpenLoad int    `json:"open_load"` // assigned to them and not closed
}
