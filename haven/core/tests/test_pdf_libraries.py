"""The system libraries WeasyPrint needs for warning-free PDFs are there (scripts/system-deps installs them)."""

from weasyprint.text import ffi  # type: ignore[import-untyped]


def test_weasyprint_subsets_fonts_with_harfbuzz_rather_than_warning_on_every_pdf() -> None:
    # Without libharfbuzz-subset0 WeasyPrint falls back to fontTools and logs a warning per PDF.
    assert ffi.harfbuzz_subset is not None, "install libharfbuzz-subset0 (scripts/system-deps does, as root on Debian)"
