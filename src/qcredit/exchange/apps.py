from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "qcredit.exchange"
    label = "exchange"
    verbose_name = "信息交换"

    def ready(self) -> None:
        from qcredit.config.seeds import restore_after_flush

        restore_after_flush(self, migration="0003_seed_partners", function="seed", model="Partner")
