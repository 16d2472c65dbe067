package emerging_test

import (
	"context"
	"fmt"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/emerging"
)

func ExampleAnalyze() {
	// The universe: every res-9 cell within 4 steps of a cell in Hanoi
	// (61 cells), six monthly bins, one event a month in every cell.
	centre := geo.CellOf(geo.Point{Lon: 105.8524, Lat: 21.0287}, 9)
	cube, _ := emerging.NewCube(centre.Disk(4), 6)
	for _, c := range cube.Cells() {
		for month := 0; month < 6; month++ {
			cube.Add(c, month, 1)
		}
	}
	// The last two months, the centre and its ring see ten more each.
	for _, c := range centre.Disk(1) {
		cube.Add(c, 4, 10)
		cube.Add(c, 5, 10)
	}
	r, err := emerging.Analyze(context.Background(), cube, emerging.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	i, _ := cube.Index(centre)
	cat := r.Category[i]
	fmt.Println(cat, "—", cat.LabelVI(), cat.Colour())
	// Output: consecutive_hot — Điểm nóng liên tiếp #e31a1c
}
