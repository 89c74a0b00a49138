# The README's commands. `make run` and `make test` install what is missing first
# (scripts/deps.sh: apt-get, so root or sudo).
DB ?= linkwell.db
LISTEN ?= 127.0.0.1:8080

.PHONY: run test build deps format clean

run: build
	@scripts/run-demo.sh build/release/linkwell "$(DB)" "$(LISTEN)"

test:
	@scripts/deps.sh --test
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan
	cmake --preset tsan
	cmake --build --preset tsan --target test_store test_util
	ctest --preset tsan

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target linkwell

deps:
	@scripts/deps.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
