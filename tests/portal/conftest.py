from tests.ratings.conftest import immediate_item, window_case_of, zhang  # noqa: F401 (completed cases to rate)
