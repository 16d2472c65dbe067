package demo_test

import (
	"fmt"
	"os"

	"github.com/diaban/diaban/hotspot/demo"
)

func ExampleGenerate() {
	ds, err := demo.Generate(demo.DefaultSeed)
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "demo-example-*")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if err := ds.WriteFiles(dir); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(ds.Areas), "areas,", len(ds.Hotspots), "hotspots,", len(ds.Cameras), "cameras")
	// Output: 23 areas, 60 hotspots, 40 cameras
}
