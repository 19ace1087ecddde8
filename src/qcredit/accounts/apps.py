from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qcredit.accounts"
    label = "accounts"
    verbose_name = "账号、单位与角色"
