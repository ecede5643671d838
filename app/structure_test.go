package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"
)

// TestStructure pins the shape of the package (doc.go): no struct carries
// more than maxMethods methods, the App facade embeds nothing (an embedded
// service would promote its use cases back onto it), and the services hold
// each other by named pointer fields, never embedded.
func TestStructure(t *testing.T) {
	const maxMethods = 60
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]int{}
	structs := map[string]*ast.StructType{}
	for _, f := range pkgs["app"].Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) == 0 {
					continue
				}
				typ := d.Recv.List[0].Type
				if st, ok := typ.(*ast.StarExpr); ok {
					typ = st.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					methods[id.Name]++
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok {
							structs[ts.Name.Name] = st
						}
					}
				}
			}
		}
	}
	for typ, n := range methods {
		if n > maxMethods {
			t.Errorf("%s has %d methods; split it (at most %d)", typ, n, maxMethods)
		}
	}
	services := map[string]bool{"Accounts": true, "Messaging": true, "Webhooks": true, "Desk": true, "Connectors": true}
	for name := range services {
		if structs[name] == nil {
			t.Errorf("service %s not found", name)
		}
	}
	for name, st := range structs {
		for _, f := range st.Fields.List {
			if len(f.Names) > 0 {
				continue
			}
			embedded := f.Type
			if s, ok := embedded.(*ast.StarExpr); ok {
				embedded = s.X
			}
			id, _ := embedded.(*ast.Ident)
			switch {
			case name == "App":
				t.Errorf("App embeds %v: hold services as named fields", embedded)
			case id != nil && services[id.Name]:
				t.Errorf("%s embeds the service %s: hold it as a named field", name, id.Name)
			}
		}
	}
}
