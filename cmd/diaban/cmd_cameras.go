package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/placement"
)

// cmdCameras dispatches "diaban cameras SUBCOMMAND".
func cmdCameras(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, camerasUsage)
		return fmt.Errorf("%w: cameras needs a subcommand (plan)", errUsage)
	}
	switch {
	case args[0] == "plan":
		return cmdCamerasPlan(ctx, env, args[1:])
	case isHelp(args[0]) || helpRequested(args):
		fmt.Fprintln(env.stdout, camerasUsage)
		return nil
	}
	fmt.Fprintln(env.stderr, camerasUsage)
	return fmt.Errorf("%w: unknown cameras subcommand %q", errUsage, args[0])
}

const camerasUsage = `usage: diaban cameras SUBCOMMAND [flags]

subcommands:
  plan --area CODE --k K                      where the next K cameras of an area should go (from the database)
  plan --demand FILE --candidates FILE --k K  the same from CSV files, offline

"diaban cameras plan --help" lists the flags.`

// planConfig is what "cameras plan" was asked: where the inputs come from
// and the solver's settings. Reading the inputs (loadPlanInputs) is kept
// apart from solving, so that a database source (--area) can slot in.
type planConfig struct {
	demandPath, candidatesPath, existingPath string
	model                                    placement.Model
	opts                                     placement.Options

	// The database source: an area's hotspots, risk cells and cameras.
	area             string
	siteRes, riskRes int
	objective        string
	db               dbFlags
}

func parsePlanFlags(env *environment, args []string) (planConfig, error) {
	var cfg planConfig
	fs := newFlagSet(env, "cameras plan", "cameras plan (--area CODE | --demand FILE --candidates FILE) --k K [flags]")
	fs.StringVar(&cfg.demandPath, "demand", "", "demand CSV `file` (id,lon,lat,weight[,hotspot])")
	fs.StringVar(&cfg.candidatesPath, "candidates", "", "candidate sites CSV `file` (id,lon,lat)")
	fs.StringVar(&cfg.existingPath, "existing", "", "existing cameras CSV `file` (ref,lon,lat,bearing,fov,range_m,owner,status)")
	fs.IntVar(&cfg.opts.K, "k", 0, "number of cameras to add")
	fs.Float64Var(&cfg.model.RangeM, "range", 120, "camera range in metres")
	fs.Float64Var(&cfg.model.FOV, "fov", 90, "camera angle of view in degrees (360 for a dome)")
	bearings := fs.String("bearings", "0,45,90,135,180,225,270,315", "comma-separated bearings to try, degrees")
	fs.IntVar(&cfg.opts.MaxPerSite, "max-per-site", 1, "most new cameras on one site")
	fs.DurationVar(&cfg.opts.TimeLimit, "time-limit", placement.DefaultTimeLimit, "time to search for a better plan and prove it optimal (0: the heuristic answer only)")
	fs.StringVar(&cfg.area, "area", "", "plan for this area `code` from the database instead of --demand")
	fs.IntVar(&cfg.siteRes, "res", inputs.DefaultSiteRes, "with --area and no --candidates: H3 `resolution` whose cell centres are the candidate sites")
	fs.IntVar(&cfg.riskRes, "risk-res", inputs.DefaultRiskRes, "with --area: H3 `resolution` (7-10) of the risk cells")
	fs.StringVar(&cfg.objective, "objective", "both", "with --area: what to cover, hotspots, cells (risk cells) or both")
	cfg.db.register(fs, env)
	if err := parseFlags(fs, args); err != nil {
		return cfg, err
	}
	if err := noArgs(fs); err != nil {
		return cfg, err
	}
	switch {
	case cfg.area != "" && cfg.demandPath != "":
		return cfg, fmt.Errorf("%w: --area and --demand exclude each other", errUsage)
	case cfg.area == "" && cfg.demandPath == "":
		return cfg, fmt.Errorf("%w: --demand or --area is required", errUsage)
	case cfg.area == "" && cfg.candidatesPath == "":
		return cfg, fmt.Errorf("%w: --candidates is required", errUsage)
	case cfg.opts.K <= 0:
		return cfg, fmt.Errorf("%w: --k must be a positive number of cameras", errUsage)
	case cfg.opts.MaxPerSite <= 0:
		return cfg, fmt.Errorf("%w: --max-per-site must be positive", errUsage)
	case cfg.opts.TimeLimit < 0:
		return cfg, fmt.Errorf("%w: --time-limit must not be negative", errUsage)
	case cfg.opts.TimeLimit == 0:
		cfg.opts.TimeLimit = -1 // the solver's "no proof"
	}
	for _, s := range strings.Split(*bearings, ",") {
		b, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return cfg, fmt.Errorf("%w: --bearings: %q is not a number", errUsage, s)
		}
		cfg.model.Bearings = append(cfg.model.Bearings, b)
	}
	return cfg, nil
}

// planInputs is the data a plan is computed from.
type planInputs struct {
	demand   []placement.DemandPoint
	sites    []placement.Site
	existing []placement.Camera
}

// loadPlanInputs reads the CSV files named by cfg.
func loadPlanInputs(cfg planConfig) (planInputs, error) {
	var in planInputs
	var err error
	if cfg.demandPath != "" {
		if in.demand, err = readCSVFile(cfg.demandPath, placement.ReadDemandCSV); err != nil {
			return in, err
		}
	}
	if cfg.candidatesPath != "" {
		if in.sites, err = readCSVFile(cfg.candidatesPath, placement.ReadSitesCSV); err != nil {
			return in, err
		}
	}
	if cfg.existingPath != "" {
		if in.existing, err = readCSVFile(cfg.existingPath, placement.ReadCamerasCSV); err != nil {
			return in, err
		}
	}
	return in, nil
}

func readCSVFile[T any](path string, read func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func cmdCamerasPlan(ctx context.Context, env *environment, args []string) error {
	cfg, err := parsePlanFlags(env, args)
	if err != nil {
		return err
	}
	in, err := loadPlanInputs(cfg)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var res placement.Result
	if cfg.area != "" {
		res, err = planArea(ctx, cfg, in)
	} else {
		res, err = placement.Plan(in.demand, in.sites, cfg.model, in.existing, cfg.opts)
	}
	if err != nil {
		var ve *hotspot.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		return err
	}
	if res.Chosen == nil {
		res.Chosen = []placement.Choice{}
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// planArea plans from the database: the area's active hotspots and risk
// cells as demand, its cell centres (or --candidates) as sites, and its
// stored cameras (with --existing) as already there.
func planArea(ctx context.Context, cfg planConfig, in planInputs) (placement.Result, error) {
	st, err := cfg.db.open(ctx)
	if err != nil {
		return placement.Result{}, err
	}
	defer st.Close()
	cov, err := inputs.Load(ctx, st, inputs.Query{AreaCode: cfg.area, RiskRes: cfg.riskRes})
	if err != nil {
		return placement.Result{}, err
	}
	p, err := inputs.Plan(ctx, cov, inputs.PlanRequest{
		Model: cfg.model, K: cfg.opts.K, MaxPerSite: cfg.opts.MaxPerSite, SiteRes: cfg.siteRes,
		Sites: in.sites, Existing: in.existing, Demand: inputs.DemandKind(cfg.objective),
	})
	if err != nil {
		return placement.Result{}, err
	}
	return p.Result, nil
}
