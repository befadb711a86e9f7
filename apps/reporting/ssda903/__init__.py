"""SSDA903, the DfE's return of looked-after children: each LA's Header and Episodes files
(`files.py`), built from the child's care history by the rules in `episodes.py`; and the
RCC-wide analysis file of the same episodes under a keyed pseudonym (`analysis.py`)."""
