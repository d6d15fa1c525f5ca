from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The home page of every role (what waits for the user, their figures), charts, the map, the national
    overview. It reads every domain app and is read by none."""

    name = "phongtrao.dashboard"
    verbose_name = "Trang chủ, biểu đồ"

    def ready(self) -> None:
        from phongtrao.dashboard import (
            todo,
            todo_awards,
            todo_classification,
            todo_datasets,
            todo_models,
            todo_plans,
            todo_recognition,
        )

        todo.register("recognition", todo_recognition.rows, order=10)
        todo.register("awards", todo_awards.rows, order=20)
        todo.register("datasets", todo_datasets.rows, order=30)
        todo.register("classification", todo_classification.rows, order=40)
        todo.register("plans", todo_plans.rows, order=50)
        todo.register("models", todo_models.rows, order=60)
