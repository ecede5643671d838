package httpapi

// discordRoutes lists the routes of the discord part of the connectors.
func (s *Server) discordRoutes() []route { return nil }
