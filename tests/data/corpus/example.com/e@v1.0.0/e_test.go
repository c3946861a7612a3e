package e

import "testing"

func TestName(t *testing.T) {
	if Name != "e" {
		t.Fatal(Name)
	}
}
