package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diaban/diaban/internal/pgtest"
)

// TestReportCommand writes each format of a district's report to a file
// and to standard output, audited as the CLI; bad arguments are usage
// errors that write nothing.
func TestReportCommand(t *testing.T) {
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../../hotspot/testdata/areas.geojson")
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán nước\nH2,108.35,15.9,storage,\n")
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nH1,detected,2024-11-10,\nH2,detected,2025-02-01,\nH1,eliminated,2025-06-01,\n")
	dir := t.TempDir()
	for _, f := range []string{"pdf", "xlsx", "csv"} {
		out := filepath.Join(dir, "r."+f)
		if _, stderr, err := runCmd(t, "report", "--area", "503", "--period", "2024-04-15..2025-04-14", "--format", f, "--out", out, "--db", db.URL); err != nil {
			t.Fatalf("%s: %v (%s)", f, err, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil || len(b) < 100 {
			t.Fatalf("%s: %d bytes, %v", f, len(b), err)
		}
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command("pdftotext", filepath.Join(dir, "r.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Join(strings.Fields(string(text)), " ")
		for _, want := range []string{"Phường Một", "Xã Hai", "từ 15/04/2024 đến 14/04/2025", "Quán nước"} {
			if !strings.Contains(s, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	}
	stdout, _, err := runCmd(t, "report", "--area", "20530", "--period", "2025-H1", "--format", "csv", "--lang", "en", "--db", db.URL)
	if err != nil || !strings.HasPrefix(stdout, "\ufeffCode,Name") || !strings.Contains(stdout, "Phường Một") {
		t.Errorf("csv on stdout: %v %q", err, stdout)
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit WHERE action = 'report.generate' AND username = 'cli'`).Scan(&n); err != nil || n != 4 {
		t.Errorf("%d audit rows (%v), want 4", n, err)
	}
	for _, args := range [][]string{
		{"report", "--period", "2025", "--format", "pdf"},
		{"report", "--area", "503", "--period", "2025-H3", "--format", "pdf"},
		{"report", "--area", "503", "--period", "2025", "--format", "docx"},
		{"report", "--area", "503", "--period", "2025", "--lang", "fr"},
	} {
		out := filepath.Join(dir, "bad")
		if _, _, err := runCmd(t, append(args, "--out", out, "--db", db.URL)...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v wrote a file", args)
		}
	}
}
