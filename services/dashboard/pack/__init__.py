"""The Borough SN Performance Pack and the meeting packs: gathered from the kpi and flex
APIs (`build`), judged in plain language (`status`), drawn (`charts`, `map`) and rendered to
HTML and PDF (`render`)."""
