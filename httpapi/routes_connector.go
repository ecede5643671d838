package httpapi

// connectorRoutes lists the routes shared by every connector type.
func (s *Server) connectorRoutes() []route { return nil }
