package inputs

import (
	"context"
	"fmt"
	"time"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/placement"
)

// PlanRequest is what a planner asks for an area whose Inputs are loaded.
type PlanRequest struct {
	Model      placement.Model
	K          int
	MaxPerSite int                // 0 means 1
	SiteRes    int                // resolution of the candidate cell centres; 0 means DefaultSiteRes
	Sites      []placement.Site   // candidate sites; nil means the cell centres at SiteRes within range of the demand
	Owner      placement.Owner    // owner of the proposed cameras; "" means police
	Demand     DemandKind         // what the solver maximises; "" means DemandBoth
	Existing   []placement.Camera // extra cameras counted as already there (nil: none)
	MaxSites   int                // refuse more candidate sites than this; 0 means no limit
	// TimeLimit bounds the search for a better plan and its proof
	// (placement.Options.TimeLimit): 0 means placement.DefaultTimeLimit,
	// negative the heuristic answer only.
	TimeLimit time.Duration
}

// DemandKind selects what a plan maximises.
type DemandKind string

// The demand kinds.
const (
	DemandBoth     DemandKind = "both"     // hotspots and risk cells
	DemandHotspots DemandKind = "hotspots" // active hotspots, weighted by risk
	DemandCells    DemandKind = "cells"    // risk cells, weighted by incidents
)

// Proposal is a proposed camera: where, which way, what it adds.
type Proposal struct {
	Camera placement.Camera
	Site   placement.Site
	// Gained are the demand points this camera covers that neither the
	// existing cameras nor an earlier proposal cover.
	Gained []placement.DemandPoint
}

// PlanResult is a plan with the coverage it gives.
type PlanResult struct {
	Result    placement.Result
	Proposals []Proposal
	Before    Report // the existing cameras (not offline)
	After     Report // the existing cameras and the proposals, as planned
	Sites     int    // candidate sites considered
}

// Plan chooses up to req.K new cameras for in's area. It stops with ctx's
// error when ctx ends (the request that asked went away): the solver asks
// its context as it searches (placement.SolveContext).
func Plan(ctx context.Context, in *CoverageInputs, req PlanRequest) (*PlanResult, error) {
	if req.Owner == "" {
		req.Owner = placement.OwnerPolice
	}
	if _, err := placement.ParseOwner(string(req.Owner)); err != nil {
		return nil, &hotspot.ValidationError{Field: "owner", Reason: "must be police or community"}
	}
	var demand []placement.DemandPoint
	switch req.Demand {
	case "", DemandBoth:
		demand = in.Demand()
	case DemandHotspots:
		demand = in.Hotspots
	case DemandCells:
		demand = in.Cells
	default:
		return nil, &hotspot.ValidationError{Field: "demand", Reason: "must be both, hotspots or cells"}
	}
	sites := req.Sites
	if sites == nil {
		var err error
		if sites, err = in.SitesContext(ctx, req.SiteRes, demand, req.Model.RangeM); err != nil {
			return nil, err
		}
	}
	if req.MaxSites > 0 && len(sites) > req.MaxSites {
		field := "res"
		if req.Sites != nil {
			field = "candidates"
		}
		return nil, &hotspot.ValidationError{Field: field, Reason: fmt.Sprintf(
			"%d candidate sites in %s, more than the %d a plan may try: choose a coarser res or a smaller area", len(sites), in.Area.Code, req.MaxSites)}
	}
	existing := append(append([]placement.Camera(nil), in.Cameras...), req.Existing...)
	res, err := placement.PlanContext(ctx, demand, sites, req.Model, existing, placement.Options{K: req.K, MaxPerSite: req.MaxPerSite, TimeLimit: req.TimeLimit})
	if err != nil {
		return nil, err
	}
	if res.Chosen == nil {
		res.Chosen = []placement.Choice{}
	}
	out := &PlanResult{Result: res, Sites: len(sites)}
	siteByID := make(map[string]placement.Site, len(sites))
	for _, s := range sites {
		siteByID[s.ID] = s
	}
	fov, rng := req.Model.FOV, req.Model.RangeM
	planned := make([]placement.Camera, len(res.Chosen))
	for i, ch := range res.Chosen {
		s := siteByID[ch.Site]
		planned[i] = placement.Camera{
			Ref:    fmt.Sprintf("plan-%d", i+1),
			View:   geo.FieldOfView{Site: s.Point, Bearing: ch.Bearing, FOV: fov, RangeM: rng},
			Owner:  req.Owner,
			Status: placement.StatusPlanned,
		}
		out.Proposals = append(out.Proposals, Proposal{Camera: planned[i], Site: s})
	}
	gains(demand, existing, out.Proposals)
	if out.Before, err = Measure(in, existing, 20); err != nil {
		return nil, err
	}
	if out.After, err = Measure(in, append(existing, planned...), 20); err != nil {
		return nil, err
	}
	return out, nil
}

// gains fills each proposal's Gained: demand of positive weight it covers
// and nothing before it does (existing cameras not offline, then earlier
// proposals).
func gains(demand []placement.DemandPoint, existing []placement.Camera, props []Proposal) {
	for _, d := range demand {
		if d.Weight <= 0 || coveredBy(d.Point, existing) {
			continue
		}
		for k := range props {
			if props[k].Camera.View.Covers(d.Point) {
				props[k].Gained = append(props[k].Gained, d)
				break
			}
		}
	}
}

func coveredBy(p geo.Point, cams []placement.Camera) bool {
	for _, c := range cams {
		if c.Status != placement.StatusOffline && c.View.Covers(p) {
			return true
		}
	}
	return false
}
