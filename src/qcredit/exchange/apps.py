from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "qcredit.exchange"
    label = "exchange"
    verbose_name = "信息交换"
