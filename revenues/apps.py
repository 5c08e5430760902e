from django.apps import AppConfig


class RevenuesConfig(AppConfig):
    name = "revenues"
