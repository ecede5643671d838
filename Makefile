# The two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: run build web test test-go vet fmt clean

## run: build Relay and serve it on embedded defaults (SQLite, local files) at http://localhost:8080
run: build
	@echo "starting relay serve (Ctrl-C stops it)…"
	./bin/relay serve

## build: the web app (web/dist) and one static binary embedding it at bin/relay
build: web
	@echo "compiling relay into bin/relay (the first build takes a few minutes; later ones are quick)…"
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/relay ./cmd/relay
	@echo "built bin/relay ($(VERSION))"

## web: build the web app into web/dist (npm ci when the lock changed)
web:
	bash scripts/web-build.sh

## test: every test, on SQLite and PostgreSQL, with the race detector (starts services it needs)
test:
	bash scripts/test.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin relay-data web/dist/assets web/dist/index.html
