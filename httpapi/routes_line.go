package httpapi

// lineRoutes lists the routes of the line part of the connectors.
func (s *Server) lineRoutes() []route { return nil }
