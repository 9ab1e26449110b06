"""The reviewed license taxonomy (analysis/license_taxonomy.csv) and its use by the `models` view."""

import duckdb
import pytest

from analysis.example_db import create_crawl_db, model
from analysis.installer import FAMILIES, install, load_taxonomy

ROWS = load_taxonomy()
IDS = [row[0] for row in ROWS]

# Every license id the Hub lets a model card declare (hub-docs "Licenses" page), plus the
# Llama versions and research licenses the Hub added later.
HUB_LICENSE_IDS = """
apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear
c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0
cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0
cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl
ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1
lgpl-3.0 isc lppl-1.3c ms-pl mpl-2.0 odc-by odbl openrail++ osl-3.0 postgresql ofl-1.1 ncsa
unlicense zlib pddl lgpl-lr deepfloyd-if-license llama2 llama3 llama3.1 llama3.2 llama3.3 llama4
gemma apple-ascl apple-amlr intel-research h-research unknown other
""".split()


def test_ids_are_unique():
    assert len(IDS) == len(set(IDS))


def test_ids_are_lower_case_like_the_crawler_stores_licenses():
    assert [i for i in IDS if i != i.lower() or i != i.strip() or not i] == []


def test_families_are_only_the_allowed_ones():
    assert FAMILIES == ("permissive", "copyleft", "open-weights-restricted", "openrail", "non-commercial", "other")
    assert {row[1] for row in ROWS} == set(FAMILIES)


def test_every_hub_license_id_is_mapped():
    assert sorted(set(HUB_LICENSE_IDS) - set(IDS)) == []


@pytest.mark.parametrize(
    "license_id, family",
    [
        ("apache-2.0", "permissive"), ("mit", "permissive"), ("cc-by-4.0", "permissive"),
        ("gpl-3.0", "copyleft"), ("cc-by-sa-4.0", "copyleft"), ("mpl-2.0", "copyleft"),
        ("llama2", "open-weights-restricted"), ("llama3.3", "open-weights-restricted"), ("gemma", "open-weights-restricted"),
        ("openrail", "openrail"), ("creativeml-openrail-m", "openrail"), ("openrail++", "openrail"),
        ("cc-by-nc-4.0", "non-commercial"), ("cc-by-nc-nd-4.0", "non-commercial"), ("apple-amlr", "non-commercial"),
        ("other", "other"), ("unknown", "other"),
    ],
)
def test_reviewed_families_of_common_licenses(license_id, family):
    assert dict((row[0], row[1]) for row in ROWS)[license_id] == family


@pytest.mark.parametrize(
    "license, family",
    [("apache-2.0", "permissive"), ("llama3", "open-weights-restricted"), (None, "none"), ("none", "none"),
     ("never-heard-of-it", "other"), ("other", "other")],
)
def test_models_view_maps_license_to_family(tmp_path, license, family):
    con = create_crawl_db(tmp_path / "t.duckdb", models=[model("a/m", "2026-01-01T00:00:00", license)])
    install(con)
    assert con.execute("SELECT license, license_family FROM models").fetchall() == [(license, family)]


def test_taxonomy_table_is_loaded_with_every_row(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb")
    install(con)
    assert con.execute("SELECT * FROM license_taxonomy ORDER BY license_id").fetchall() == sorted(ROWS)


def test_models_view_keeps_every_hub_models_column_and_the_contract_columns(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb")
    install(con)
    hub_columns = [r[0] for r in con.execute("DESCRIBE hub_models").fetchall()]
    view_columns = [r[0] for r in con.execute("DESCRIBE models").fetchall()]
    assert view_columns == hub_columns + ["license_family"]
    contract = ["model_id", "author", "created_at", "last_modified", "pipeline_tag", "library_name", "license",
                "license_family", "gated", "downloads", "downloads_all_time", "likes", "params", "languages",
                "base_models", "first_seen", "last_seen", "deleted_at"]
    assert [c for c in contract if c not in view_columns] == []


def test_taxonomy_csv_rejects_wrong_columns():
    with pytest.raises(ValueError):
        load_taxonomy("id,family\nmit,permissive\n")


def test_families_agree_with_hubsim_on_every_license_it_can_emit(tmp_path):
    """hubsim keeps its own copy of the mapping (truth must not import analysis/): they must agree."""
    from hubsim import catalog

    licenses = sorted(set(catalog.LICENSE_IDS) | set(catalog.REAL_LICENSE_FAMILIES) | {"never-heard-of-it"})
    models = [model(f"m/{i}", "2026-01-01T00:00:00", license) for i, license in enumerate(licenses)]
    con = create_crawl_db(tmp_path / "t.duckdb", models=models)
    install(con)
    ours = dict(con.execute("SELECT license, license_family FROM models").fetchall())
    assert {lic: ours[lic] for lic in licenses} == {lic: catalog.license_family(lic) for lic in licenses}
