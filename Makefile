# Pacto: build, run, test. Every target installs what it needs first
# (scripts/install-deps.sh does nothing when all is installed).
#   make build | run | test | test-asan | bench | lint | clean | distclean | cluster-test

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := build
.PHONY: build run test test-asan bench lint clean distclean deps cluster-test

deps:
	scripts/install-deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j2

# Serves on PACTO_LISTEN (default 127.0.0.1:8080) with demo data, against
# PACTO_DATABASE_URL or, when that is unset, a private cluster in var/pg.
run: build
	@mkdir -p var
	if [ -z "$${PACTO_DATABASE_URL:-}" ]; then
	  scripts/pg.sh start var/pg 5433
	  PACTO_DATABASE_URL=$$(scripts/pg.sh url var/pg 5433)
	  export PACTO_DATABASE_URL
	fi
	if [ -z "$${PACTO_JWT_SECRET:-}" ]; then
	  if [ ! -s var/jwt-secret ]; then
	    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >var/jwt-secret)
	  fi
	  PACTO_JWT_SECRET=$$(cat var/jwt-secret)
	  export PACTO_JWT_SECRET
	fi
	export PACTO_LISTEN=$${PACTO_LISTEN:-127.0.0.1:8080}
	build/pacto migrate
	scripts/demo-data.sh build/pacto
	url=http://$${PACTO_LISTEN/0.0.0.0/127.0.0.1}
	# The program's demo data goes through the API, as the secretariats load
	# theirs: the server starts first, and stays in the foreground after.
	build/pacto serve &
	server=$$!
	trap 'kill $$server 2>/dev/null; wait $$server' INT TERM
	scripts/demo-program.sh "$$url" || { kill $$server; wait $$server || true; exit 1; }
	echo
	echo "Pacto on $$url. Get a token for a demo account (list above):"
	echo "  TOKEN=\$$(curl -fsS --json '{\"email\":\"coordenacao@demo.pacto\",\"password\":\"pacto-demo-2026\"}' \\"
	echo "    $$url/v1/auth/token | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')"
	echo "then call the API with it, or without it for public data:"
	echo "  curl -fsS $$url/v1/me -H \"Authorization: Bearer \$$TOKEN\""
	echo "  curl -fsS '$$url/v1/municipalities?state=MS'"
	echo
	wait $$server

test: build
	scripts/test.sh build

test-asan: deps
	cmake -S . -B build-asan -DPACTO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-asan -j2
	scripts/test.sh build-asan

bench: build
	bench/run.sh && bench/adhesions.sh && bench/program.sh && bench/plans.sh && bench/pacts.sh && bench/evidence.sh && bench/trajectories.sh && bench/deliveries.sh && bench/dashboards.sh && bench/consultation.sh && bench/questions.sh && bench/forum.sh && bench/practices.sh && bench/cluster.sh

lint: deps
	scripts/lint.sh

# The scale-out checks against the local cluster of scripts/cluster.sh (nginx,
# three servers, pgbouncer, a primary and its streaming replica), started for
# the run when it is not running already.
cluster-test: build
	test/cluster/run.sh build

clean:
	rm -rf build build-*/

distclean: clean
	scripts/cluster.sh down
	scripts/pg.sh stop var/pg
	rm -rf var
