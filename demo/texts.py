"""Names, complaint texts and survey comments in the five languages of the product."""
from __future__ import annotations

FIRST_NAMES = {
    "en": ["Oliver", "Emma", "Jack", "Sophie", "Harry", "Grace", "George", "Lucy"],
    "pl": ["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Marek", "Agnieszka", "Paweł"],
    "ru": ["Иван", "Ольга", "Дмитрий", "Наталья", "Сергей", "Екатерина", "Алексей", "Мария"],
    "ro": ["Andrei", "Ioana", "Mihai", "Elena", "Radu", "Ana", "Cristian", "Maria"],
    "cs": ["Jan", "Petra", "Tomáš", "Lucie", "Martin", "Eva", "Jakub", "Tereza"],
}
LAST_NAMES = {
    "en": ["Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Hall"],
    "pl": ["Nowak", "Kowalska", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowski", "Zielińska", "Szymański"],
    "ru": ["Иванов", "Смирнова", "Кузнецов", "Попова", "Васильев", "Соколова", "Михайлов", "Новикова"],
    "ro": ["Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Gheorghe", "Matei", "Constantin"],
    "cs": ["Novák", "Svobodová", "Dvořák", "Černá", "Procházka", "Kučerová", "Veselý", "Horáková"],
}
PATRONYMICS = ["Иванович", "Петровна", "Сергеевич", "Андреевна", "Николаевич", "Викторовна"]
ORGANISATIONS = ["Northwind Trading", "Baltic Foods", "Carpathia Logistics", "Vltava Tools", "Volga Textiles",
                 "Danube Machines", "Mazury Timber", "Bohemia Glass", "Ural Steelworks", "Transilvania Print",
                 "Thames Office Supply", "Krakow Bakeries", "Praha Pharma", "Iasi Electronics", "Neva Books",
                 "Oder Furniture", "Brno Bikes", "Cluj Software", "Gdansk Marine", "Kazan Chemicals"]
TIMEZONES = {"en": "Europe/London", "pl": "Europe/Warsaw", "ru": "Europe/Moscow", "ro": "Europe/Bucharest",
             "cs": "Europe/Prague"}

# (root cause code, subject, description) per language; the root cause is what staff later find.
COMPLAINTS = {
    "en": [("late_delivery", "Order arrived late", "My order arrived a week after the promised date."),
           ("damaged_in_transit", "Damaged parcel", "The box was crushed and two items were broken."),
           ("product_defect", "Defective product", "The device stopped working after three days."),
           ("billing_error", "Wrong invoice", "I was charged twice for the same order."),
           ("communication", "Nobody answered", "I wrote three times and got no reply.")],
    "pl": [("late_delivery", "Spóźniona dostawa", "Zamówienie dotarło tydzień po obiecanym terminie."),
           ("wrong_item", "Zły towar", "Otrzymałam inny produkt niż zamówiony."),
           ("product_defect", "Wadliwy produkt", "Urządzenie przestało działać po trzech dniach."),
           ("price", "Cena niezgodna z ofertą", "Na fakturze jest wyższa cena niż w ofercie.")],
    "ru": [("late_delivery", "Задержка доставки", "Заказ пришёл на неделю позже обещанного срока."),
           ("staff_conduct", "Грубость сотрудника", "Сотрудник по телефону разговаривал со мной грубо."),
           ("billing_error", "Ошибка в счёте", "В счёте указана неверная сумма."),
           ("damaged_in_transit", "Повреждённая упаковка", "Коробка была смята, товар повреждён.")],
    "ro": [("late_delivery", "Livrare întârziată", "Comanda a sosit cu o săptămână întârziere."),
           ("product_defect", "Produs defect", "Aparatul s-a oprit după trei zile."),
           ("communication", "Lipsă de răspuns", "Am scris de trei ori și nu am primit răspuns."),
           ("process_failure", "Retur pierdut", "Returul meu a fost pierdut în depozit.")],
    "cs": [("late_delivery", "Pozdní dodávka", "Objednávka dorazila o týden později."),
           ("wrong_item", "Špatné zboží", "Přišel mi jiný výrobek, než jsem objednal."),
           ("billing_error", "Chybná faktura", "Faktura obsahuje špatnou částku."),
           ("customer_misunderstanding", "Nejasné podmínky", "Nerozuměl jsem podmínkám vrácení zboží.")],
}
FACTS = ["Carrier tracking confirms the delay.", "Photos of the damage received.", "Invoice checked against the order.",
         "Warehouse confirms the wrong item was picked.", "Call recording reviewed.", "Customer's order history checked."]
UPDATES = ["We are sorry you are disappointed. We are looking into it.", "The replacement has been sent today.",
           "We have contacted the carrier and expect an answer tomorrow.", "A credit note is being prepared."]
RESOLUTIONS = ["Replacement sent and delivery fee refunded.", "Invoice corrected and the difference refunded.",
               "Apology and a discount on the next order.", "Repaired under warranty.",
               "Explained the terms; the customer accepted."]

COMMENTS = {
    "en": {"good": ["Quick and friendly, thank you!", "Great service, problem solved in a day."],
           "bad": ["It took far too long.", "Nobody told me what was happening."],
           "idea": ["Deliver on Saturdays too.", "Send a tracking link with every order."]},
    "pl": {"good": ["Szybko i miło, dziękuję!", "Świetna obsługa, problem rozwiązany w jeden dzień."],
           "bad": ["Trwało to zdecydowanie za długo.", "Nikt mnie nie informował, co się dzieje."],
           "idea": ["Dostawy także w soboty.", "Link do śledzenia przy każdym zamówieniu."]},
    "ru": {"good": ["Быстро и вежливо, спасибо!", "Отличный сервис, проблему решили за день."],
           "bad": ["Это заняло слишком много времени.", "Никто не сообщал, что происходит."],
           "idea": ["Доставка и по субботам.", "Присылайте ссылку для отслеживания."]},
    "ro": {"good": ["Rapid și amabil, mulțumesc!", "Servicii excelente, problemă rezolvată într-o zi."],
           "bad": ["A durat mult prea mult.", "Nimeni nu mi-a spus ce se întâmplă."],
           "idea": ["Livrați și sâmbăta.", "Trimiteți un link de urmărire la fiecare comandă."]},
    "cs": {"good": ["Rychlé a vstřícné, děkuji!", "Skvělé služby, problém vyřešen za den."],
           "bad": ["Trvalo to příliš dlouho.", "Nikdo mi neřekl, co se děje."],
           "idea": ["Doručujte i v sobotu.", "Posílejte odkaz na sledování zásilky."]},
}
