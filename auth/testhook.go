package auth

import "testing"

// TestHashParams are argon2id parameters far below DefaultHashParams, for other packages' tests,
// where a sign-in's cost is not what they test: under the race detector a production hash takes a
// third of a second, and a package's tests sign in hundreds of times.
var TestHashParams = HashParams{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

// UseTestHashing makes c hash with TestHashParams, in a test binary only: anywhere else it does
// nothing, and NewService keeps refusing parameters below the floor.
func UseTestHashing(c *Config) {
	if testing.Testing() {
		c.HashParams, c.cheapHashing = TestHashParams, true
	}
}
