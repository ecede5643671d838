package httpapi

// webhookRoutes lists the routes of the webhook part of the connectors.
func (s *Server) webhookRoutes() []route { return nil }
