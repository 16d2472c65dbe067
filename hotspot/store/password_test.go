package store

import "testing"

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		hash, pw string
		ok       bool
	}{
		"right password": {h, "correct horse battery", true},
		"wrong password": {h, "correct horse battery!", false},
		"empty password": {h, "", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ok, err := CheckPassword(c.hash, c.pw)
			if err != nil || ok != c.ok {
				t.Errorf("got %v %v, want %v", ok, err, c.ok)
			}
		})
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$bcrypt$x", "$argon2id$v=19$m=65536,t=1,p=2$!!$AAAA"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a short password was hashed")
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
}

// BenchmarkCheckPassword is the cost of one login's password check.
func BenchmarkCheckPassword(b *testing.B) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := CheckPassword(h, "correct horse battery"); !ok {
			b.Fatal("mismatch")
		}
	}
}
