from django.apps import AppConfig


class RulesetsConfig(AppConfig):
    name = "qcredit.rulesets"
    label = "rulesets"
    verbose_name = "规则版本"
