# localg.R VALUES NEIGHBORS OUT — spdep's localG on the same inputs as
# "diaban stats gistar", timed in parts; writes id,z to OUT.
suppressPackageStartupMessages(library(spdep))
a <- commandArgs(trailingOnly = TRUE)
t_read <- system.time({
  v <- read.csv(a[1], colClasses = c("character", "numeric"))
  e <- read.csv(a[2], colClasses = c("character", "character"))
})[["elapsed"]]
t_nb <- system.time({
  n <- nrow(v)
  from <- match(e$id, v$id)
  to <- match(e$neighbor, v$id)
  nb <- split(to, factor(from, levels = seq_len(n)))
  nb <- lapply(nb, function(x) if (length(x) == 0) 0L else sort(as.integer(x)))
  names(nb) <- NULL
  class(nb) <- "nb"
  attr(nb, "region.id") <- v$id
  lw <- nb2listw(include.self(nb), style = "B", zero.policy = TRUE)
})[["elapsed"]]
t_g <- system.time(z <- as.vector(localG(v$value, lw, zero.policy = TRUE)))[["elapsed"]]
write.csv(data.frame(id = v$id, z = formatC(z, digits = 17, format = "g")), a[3], row.names = FALSE, quote = FALSE)
cat(sprintf("R %s, spdep %s: read CSV %.2f s, nb + listw %.2f s, localG %.3f s (%d cells)\n",
            getRversion(), packageVersion("spdep"), t_read, t_nb, t_g, n))
