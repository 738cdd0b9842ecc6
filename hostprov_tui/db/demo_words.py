"""Vocabulary for the demo catalogue: plausible study-circle content, nothing real."""

from __future__ import annotations

SPEAKERS = (
    "Asghar Hussain", "Fatima Rizvi", "Yusuf Qadri", "Maryam Siddiqui", "Hamza Ansari",
    "Khadija Nomani", "Imran Farooqui", "Zainab Kazmi", "Bilal Chaudhry", "Aisha Lodhi",
    "Tariq Mahmood", "Sana Jafri", "Omar Rashid", "Hafsa Naqvi", "Idris Malik", "Ruqayya Baig",
)

ALBUM_TOPICS = (
    "Tafseer of Surah Al-Baqarah", "Tafseer of Surah Al-Kahf", "Tafseer of Juz Amma",
    "Seerah of the Prophet", "Fiqh of Salah", "Fiqh of Fasting", "Fiqh of Zakah",
    "Asma ul Husna", "Stories of the Prophets", "Arabic Grammar for Quran Readers",
    "Principles of Hadith", "Forty Hadith of Imam Nawawi", "Purification of the Heart",
    "Aqeedah Essentials", "History of the Caliphs", "Etiquette of Seeking Knowledge",
    "Duas from the Quran", "Women in Early Islam", "Rights of Parents", "Understanding Ramadan",
    "The Science of Tajweed", "Lives of the Companions", "Islamic Ethics at Work",
    "Reflections on Surah Yasin",
)

CATEGORY_NAMES = (
    "Introduction", "Foundations", "Core Lessons", "Commentary", "Questions and Answers",
    "Revision", "Case Studies", "Advanced Topics", "Reflections", "Workshop",
)

SESSION_STEMS = (
    "Review of the word {w}", "Meaning of {w}", "Lessons from {w}", "{w} in daily life",
    "Understanding {w}", "The concept of {w}", "Questions about {w}", "{w}: a closer look",
    "Roots and uses of {w}", "Stories illustrating {w}",
)

WORDS = (
    "ISLAM", "Iman", "Ihsan", "Taqwa", "Sabr", "Shukr", "Tawakkul", "Ikhlas", "Rahmah", "Adl",
    "Amanah", "Hikmah", "Tawbah", "Dhikr", "Ilm", "Niyyah", "Ummah", "Barakah", "Qadr", "Akhirah",
    "Huda", "Nur", "Sakinah", "Istiqamah", "Haya", "Ihsan al-Jar", "Sadaqah", "Salam", "Wudu",
    "Qiblah",
)

TRANSCRIPT_SENTENCES = (
    "In this part we read the passage slowly and note each key word.",
    "The speaker explains the context in which the verse was revealed.",
    "Several classical commentaries are compared side by side.",
    "A participant asks how the lesson applies to family life.",
    "The root letters of the word are traced through the Quran.",
    "We pause to summarise what has been covered so far.",
    "An example from the Seerah illustrates the point.",
    "The discussion turns to common misunderstandings.",
    "Homework: reflect on one verse and write three lines about it.",
    "The session closes with a short supplication.",
)

#: dbo.Countries of the demo: (name, ISO2, ISO3, short-listed) — the app's registration form
#: lists the active ones.
COUNTRIES = (
    ("Pakistan", "PK", "PAK", True), ("United States", "US", "USA", True),
    ("United Kingdom", "GB", "GBR", True), ("Canada", "CA", "CAN", True),
    ("India", "IN", "IND", False), ("Saudi Arabia", "SA", "SAU", False),
    ("United Arab Emirates", "AE", "ARE", False), ("Malaysia", "MY", "MYS", False),
    ("Turkey", "TR", "TUR", False), ("Egypt", "EG", "EGY", False),
)
