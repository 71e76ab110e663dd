# Gnomon's developer entry points. `make test` is what CI runs (through .ci/run).

GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
# A count, not a duration: Go 1.26's fuzz coordinator can fail a clean run
# with "context deadline exceeded" when a duration runs out (golang/go#75804,
# fixed in 1.27). One worker: with two workers on two cores the engine stalls
# at 0 execs/s on some targets.
FUZZTIME    ?= 50000x
FUZZPARALLEL ?= 1
# Minimizing each new interesting input may take the fuzzer up to 60 s by
# default, with no executions counted meanwhile (seen in CI: a minute at
# "0/sec" per new input). A count did not bound it: with 2000x, minimizing
# one 12.5 KB input of FuzzDecodeStored ran four minutes. A duration is a
# deadline on the worker's whole minimization.
FUZZMINIMIZE ?= 5s
BENCHTIME   ?= 1s
BENCHCOUNT  ?= 1
# The end-to-end part of make bench: each scenario on a fresh dev validator
# for BENCH_DURATION, as fast as the node accepts, then transfer again at half
# the confirmed rate it reached (the load the latency target is set at). JSON
# and plots go to BENCH_DIR, which is committed, so RESULTS.md can link them.
BENCH_DURATION  ?= 20s
BENCH_SCENARIOS ?= transfer hot-account token-transfer mixed
BENCH_DIR       ?= bench/data/$(shell date -u +%F)

# Packages whose code runs on several goroutines at once (pipeline stages, and
# sdk, whose verifiers every sigverify worker calls concurrently). They run a
# second time under the race detector.
RACE_PKGS := ./sdk/... ./runtime/... ./poh/... ./turbine/... ./internal/... ./ledger/... ./tpu/... ./consensus/... ./validator/node/... ./rpc/...

# Every fuzz target, as package:Target.
FUZZ_TARGETS := \
	./sdk:FuzzParseTransaction \
	./sdk:FuzzVerifyAgreement \
	./sdk:FuzzShortU16 \
	./runtime:FuzzExecute \
	./runtime/programs/system:FuzzExecute \
	./runtime/programs/computebudget:FuzzParse \
	./runtime/programs/vote:FuzzTowerSync \
	./runtime/programs/vote:FuzzDecodeState \
	./runtime/programs/vote:FuzzDecodeInstruction \
	./runtime/programs/alt:FuzzDecodeTable \
	./runtime/programs/alt:FuzzDecodeInstruction \
	./runtime/programs/token:FuzzDecodeInstruction \
	./runtime/programs/token:FuzzExecute \
	./runtime/programs/ata:FuzzExecute \
	./runtime/programs/memo:FuzzMemo \
	./rpc:FuzzHandle \
	./rpc:FuzzPubsubHandle \
	./rpc/parsed:FuzzParseAccount \
	./rpc/parsed:FuzzParseInstruction \
	./poh:FuzzDecodeEntries \
	./internal/shred:FuzzParseShred \
	./turbine:FuzzDeshred \
	./genesis:FuzzDecode \
	./consensus:FuzzTower \
	./consensus:FuzzUnmarshalTower \
	./ledger:FuzzDecodeStatus \
	./ledger:FuzzDecodeStored

.PHONY: test vet lint fmt fuzz bench bench-e2e run

# A one-node dev cluster: dev genesis, faucet and ledger in ./dev-ledger,
# TPU (QUIC) on 127.0.0.1:8003. Stop with Ctrl-C. ARGS="--reset" starts over.
run:
	$(GO) run ./validator dev $(ARGS)

test: vet
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race $(RACE_PKGS)
	cd e2e && $(GO) test -count=1 ./...

vet:
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...

lint: vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(STATICCHECK) ./...
	cd e2e && $(STATICCHECK) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# Each fuzz target for FUZZTIME (go test allows one target per run).
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel $(FUZZPARALLEL) $$pkg || exit 1; \
	done

# Micro-benchmarks of every package (kept under bench/out for benchstat, and
# copied to BENCH_DIR), then bench-e2e.
bench:
	mkdir -p bench/out $(BENCH_DIR)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./... | tee bench/out/micro.txt
	cp bench/out/micro.txt $(BENCH_DIR)/micro.txt
	$(MAKE) bench-e2e BENCH_DIR=$(BENCH_DIR) BENCH_MICRO=$(BENCH_DIR)/micro.txt

# The end-to-end scenarios, each on a fresh dev validator, then transfer at
# half the confirmed rate it reached, then the generated section of
# bench/RESULTS.md (the rest of that file is never touched). A failed
# scenario leaves a JSON with its error, gets a row saying so, and makes the
# target fail after the table is written.
bench-e2e:
	mkdir -p bench/out $(BENCH_DIR)
	$(GO) build -o bench/out/validator ./validator
	$(GO) build -o bench/out/bench ./bench
	@failed=""; \
	for s in $(BENCH_SCENARIOS); do \
		echo "bench: $$s for $(BENCH_DURATION)"; \
		rm -f $(BENCH_DIR)/e2e-$$s.json $(BENCH_DIR)/e2e-$$s.png; \
		bench/out/bench --validator bench/out/validator --scenario $$s --duration $(BENCH_DURATION) \
			--json $(BENCH_DIR)/e2e-$$s.json --plot $(BENCH_DIR)/e2e-$$s.png || failed="$$failed $$s"; \
	done; \
	rm -f $(BENCH_DIR)/e2e-transfer-half.json $(BENCH_DIR)/e2e-transfer-half.png; \
	if [ -f $(BENCH_DIR)/e2e-transfer.json ]; then \
		echo "bench: transfer at half the confirmed rate for $(BENCH_DURATION)"; \
		bench/out/bench --validator bench/out/validator --scenario transfer --duration $(BENCH_DURATION) \
			--half-rate-of $(BENCH_DIR)/e2e-transfer.json \
			--json $(BENCH_DIR)/e2e-transfer-half.json --plot $(BENCH_DIR)/e2e-transfer-half.png || failed="$$failed transfer-half"; \
	fi; \
	bench/out/bench results --md bench/RESULTS.md $(if $(BENCH_MICRO),--micro $(BENCH_MICRO)) \
		$$(for s in $(BENCH_SCENARIOS) transfer-half; do [ -f $(BENCH_DIR)/e2e-$$s.json ] && echo $(BENCH_DIR)/e2e-$$s.json; done) || exit 1; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed"; exit 1; fi
