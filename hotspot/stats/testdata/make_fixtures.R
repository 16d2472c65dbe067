# make_fixtures.R — regenerates the reference values the stats tests compare
# with. R is a development tool only: the Go tests read the CSV files.
#
#   cd hotspot/stats/testdata && Rscript make_fixtures.R
#
# Made with R 4.2.2, spdep 1.2-7 and spData 2.2.1 (Debian bookworm packages
# r-base-core, r-cran-spdep, r-cran-spdata). Data: spData's columbus and its
# GAL contiguity neighbours col.gal.nb (Anselin 1988), released CC0.
suppressPackageStartupMessages({
  library(spdep)
  library(spData)
})
options(digits = 17)
data(columbus, package = "spData")

write <- function(df, file) write.csv(df, file, row.names = FALSE, quote = FALSE)
fmt <- function(x) trimws(formatC(x, digits = 17, format = "g"))

# Neighbours as id,neighbor rows (ids are region numbers 1..49).
nb_rows <- function(nb) {
  from <- rep(seq_along(nb), card(nb))
  to <- unlist(lapply(nb, function(v) v[v != 0]))
  data.frame(id = from, neighbor = to)
}
gistar <- function(x, nb, file) {
  z <- as.vector(localG(x, nb2listw(include.self(nb), style = "B", zero.policy = TRUE),
                        zero.policy = TRUE))
  write(data.frame(id = seq_along(x), z = fmt(z), p = fmt(2 * pnorm(-abs(z)))), file)
}

nb <- col.gal.nb
write(nb_rows(nb), "columbus_neighbors.csv")
for (v in c("CRIME", "HOVAL", "INC")) {
  x <- columbus[[v]]
  write(data.frame(id = seq_along(x), value = fmt(x)), sprintf("columbus_%s.csv", tolower(v)))
  gistar(x, nb, sprintf("columbus_%s_gistar.csv", tolower(v)))
}

# The same with region 5 cut off from everyone (an island: Gi* is then
# (x_i - mean)/S for it).
island <- nb
for (i in seq_along(island)) island[[i]] <- setdiff(island[[i]], 5L)
island[[5]] <- 0L
island <- lapply(island, function(v) if (length(v) == 0) 0L else as.integer(v))
attributes(island) <- attributes(nb)
write(nb_rows(island), "columbus_island_neighbors.csv")
gistar(columbus$CRIME, island, "columbus_crime_island_gistar.csv")

# Mann-Kendall: series id,t,value and R's Kendall test against time with the
# continuity correction. With time untied, R's variance equals the
# Mann-Kendall variance with tie correction, so tied series check too.
# Sen's slope is the median of pairwise slopes, computed here directly.
set.seed(20240604)
series <- list(
  rise_10 = round(cumsum(rnorm(10, 0.5)), 6),
  fall_30 = round(100 - 0.8 * (1:30) + rnorm(30, 0, 4), 6),
  noise_60 = round(rnorm(60), 6),
  short_3 = c(2.5, 1.25, 4),
  ties_12 = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8),
  counts_24 = rpois(24, lambda = seq(1, 6, length.out = 24))
)
rows <- do.call(rbind, lapply(names(series), function(id) {
  x <- series[[id]]
  data.frame(id = id, t = seq_along(x) - 1L, value = fmt(x))
}))
write(rows, "mk_series.csv")
mk <- do.call(rbind, lapply(names(series), function(id) {
  x <- series[[id]]
  n <- length(x)
  ct <- suppressWarnings(cor.test(x, seq_len(n), method = "kendall", exact = FALSE, continuity = TRUE))
  ij <- which(upper.tri(matrix(0, n, n)), arr.ind = TRUE) # i < j
  slopes <- (x[ij[, 2]] - x[ij[, 1]]) / (ij[, 2] - ij[, 1])
  s <- sum(sign(x[ij[, 2]] - x[ij[, 1]]))
  data.frame(id = id, n = n, s = s, z = fmt(ct$statistic), p = fmt(ct$p.value),
             sen_slope = fmt(median(slopes)))
}))
write(mk, "mk_expected.csv")

# Benjamini-Hochberg, ties included.
p <- c(0.01, 0.04, 0.03, 0.04, 0.2, 0.5, 0.0001, 0.049, 0.9, 1, 0.03)
write(data.frame(p = fmt(p), adjusted = fmt(p.adjust(p, method = "BH"))), "bh.csv")
