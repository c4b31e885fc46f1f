package auth

import (
	"context"
	"fmt"
	"sync"

	"github.com/alexedwards/argon2id"
)

// HashParams are the argon2id cost parameters for new password hashes.
type HashParams struct {
	MemoryKiB   uint32 // memory per hash, in KiB
	Iterations  uint32 // passes over the memory
	Parallelism uint8  // lanes
}

// DefaultHashParams is OWASP's argon2id baseline (m=19 MiB, t=2, p=1), the floor NewService accepts.
// argon2id.DefaultParams is not used: its one pass and NumCPU lanes trade away cost per guess.
func DefaultHashParams() HashParams {
	return HashParams{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}
}

// atLeast reports whether p costs at least as much as min in memory and time.
func (p HashParams) atLeast(min HashParams) bool {
	return p.MemoryKiB >= min.MemoryKiB && p.Iterations >= min.Iterations && p.Parallelism >= min.Parallelism
}

// Salt and key sizes are fixed: 128-bit salts and 256-bit keys are what RFC 9106 recommends.
const (
	saltLen = 16
	keyLen  = 32
)

func (p HashParams) argon2() *argon2id.Params {
	return &argon2id.Params{
		Memory:      p.MemoryKiB,
		Iterations:  p.Iterations,
		Parallelism: p.Parallelism,
		SaltLength:  saltLen,
		KeyLength:   keyLen,
	}
}

// hasher hashes and verifies passwords. Each argon2id call takes ~19 MiB and tens of milliseconds of a
// core, so a semaphore bounds how many run at once: a burst of sign-ins queues instead of exhausting
// memory or starving every other request of CPU.
type hasher struct {
	params HashParams
	slots  chan struct{}
	// observe, when set (tests only), runs while a slot is held, once per argon2id computation.
	observe func()
}

func newHasher(params HashParams, concurrency int) *hasher {
	return &hasher{params: params, slots: make(chan struct{}, concurrency)}
}

// acquire waits for a slot or for ctx to end, so a client that gives up stops waiting in the queue.
func (h *hasher) acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: waiting to hash a password: %w", ctx.Err())
	}
}

// dummyHashes are what an unknown email's password is verified against, one per parameter set for
// the whole process: a hash of a random password nobody knows, which costs what a real one costs to
// verify. Services built with the same parameters (many, in tests) share it.
var dummyHashes struct {
	sync.Mutex
	m map[HashParams]string
}

// dummy returns the process's dummy hash for h's parameters, hashing it the first time.
func (h *hasher) dummy(ctx context.Context) (string, error) {
	dummyHashes.Lock()
	defer dummyHashes.Unlock()
	if d, ok := dummyHashes.m[h.params]; ok {
		return d, nil
	}
	d, err := h.hash(ctx, newToken())
	if err != nil {
		return "", err
	}
	if dummyHashes.m == nil {
		dummyHashes.m = map[HashParams]string{}
	}
	dummyHashes.m[h.params] = d
	return d, nil
}

// hash returns a new PHC-form hash of password with the current parameters.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	if h.observe != nil {
		h.observe()
	}
	encoded, err := argon2id.CreateHash(password, h.params.argon2())
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return encoded, nil
}

// verify checks password against an encoded hash in constant time. current reports whether the hash
// was made with today's parameters; when it was not, the caller rehashes after a successful sign-in.
func (h *hasher) verify(ctx context.Context, password, encoded string) (match, current bool, err error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, false, err
	}
	defer release()
	if h.observe != nil {
		h.observe()
	}
	match, used, err := argon2id.CheckHash(password, encoded)
	if err != nil {
		return false, false, fmt.Errorf("auth: verify password: %w", err)
	}
	want := h.params.argon2()
	current = used.Memory == want.Memory && used.Iterations == want.Iterations &&
		used.Parallelism == want.Parallelism && used.SaltLength == want.SaltLength &&
		used.KeyLength == want.KeyLength
	return match, current, nil
}
