# Patholabel: `make help` lists the targets. Everything here runs on a
# Debian 12 machine; the scripts install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help
GO_MODULES = $(shell go list -m -f '{{.Dir}}')

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: up
up: ## Install what is missing, start everything behind http://127.0.0.1:8080, seed the demo, print the login
	@scripts/up.sh

.PHONY: down
down: ## Stop what `make up` started (by pid), nothing else
	@scripts/down.sh

.PHONY: logs
logs: ## Follow the service logs of `make up`
	@tail -n 50 -F .dev/logs/*.log

.PHONY: test
test: ## Run every test (Go, fuzz targets briefly, web unit, browser e2e, generated code, charts); starts and stops what it needs
	@scripts/test.sh

.PHONY: fuzz
fuzz: ## Run every Go fuzz target (FuzzXxx) for FUZZTIME each (default 60s); crashers land in testdata/fuzz
	@scripts/fuzz.sh

.PHONY: build
build: ## Build every service binary and the patholabel CLI (+ release binaries in bin/release) into bin/, the web viewer into web/dist
	@mkdir -p bin
	@ldflags=$$(. scripts/lib.sh && pl_ldflags); for svc in auth tiler annotation export gateway; do \
		go build -ldflags "$$ldflags" -o bin/$$svc github.com/patholabel/patholabel/services/$$svc/cmd/$$svc || exit 1; done
	@scripts/cli.sh bin
	@scripts/web.sh build

.PHONY: web
web: ## Build the web viewer into web/dist
	@scripts/web.sh build

.PHONY: lint
lint: ## gofmt, go vet, and each module builds alone (GOWORK=off), proving its go.mod is complete
	@unformatted=$$(gofmt -l services scripts | grep -v '/gen/' || true); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@for d in $(GO_MODULES); do (cd $$d && go vet ./... && GOWORK=off go build -o /dev/null ./...) || exit 1; done
	@scripts/web.sh deps && cd web && npm run --silent typecheck

.PHONY: tidy
tidy: ## go mod tidy in every module
	@for d in $(GO_MODULES); do (cd $$d && go mod tidy) || exit 1; done

.PHONY: proto
proto: ## Regenerate Go code from proto/ (buf with pinned local plugins, offline)
	@scripts/proto.sh generate

.PHONY: generate
generate: proto ## Regenerate everything generated (protos, the chart's route table)
	@scripts/generate.sh

.PHONY: check-generated
check-generated: ## Fail when generated code is stale; buf format, lint and breaking checks
	@scripts/generate.sh check
	@scripts/proto.sh check

.PHONY: charts-check
charts-check: ## Offline chart checks: helm lint/template, kubeconform, kube-apiserver dry-run, kube-score, skaffold
	@scripts/chart-check.sh

.PHONY: images
images: ## Build the five images (+ the evaluation images with podman; bases made locally when no registry answers)
	@scripts/images.sh

.PHONY: cluster-up
cluster-up: ## Start a throwaway single-node Kubernetes, install the chart (evaluation profile), print URL and login
	@scripts/cluster/up.sh

.PHONY: cluster-down
cluster-down: ## Stop the throwaway cluster and restore the host (PURGE=1 also deletes its state)
	@scripts/cluster/down.sh $(if $(PURGE),--purge)

.PHONY: test-cluster
test-cluster: ## Build the images, start the cluster, run the install/upgrade/fault/e2e checks against it, stop it
	@scripts/cluster/test.sh

.PHONY: bench
bench: ## Run the benchmarks (tiles, ingest, annotations, exports, viewer) and print their figures
	@scripts/bench/run.sh

.PHONY: test-fresh
test-fresh: ## The README's `make up` on a new Debian 12 root (debootstrap, packaged MariaDB, a sudo user), in private namespaces
	@scripts/test-fresh.sh

.PHONY: test-faults
test-faults: ## Replay the fault suite (Redis wiped, kill -9, object store stopped/frozen, database cut, concurrent writes) on a throwaway stack
	@scripts/test-faults.sh

.PHONY: smoke
smoke: ## Check the running system as a newcomer would: readyz, sign-in, a tile of the demo slide
	@scripts/smoke.sh
